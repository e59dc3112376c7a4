/*
 * test_layout.c - holds the binary layout of the plugin ABI still: the size,
 * alignment and every member's offset and size of each public struct, and
 * the values of the public enums and flags, against tests/unit/layout.golden
 * (x86_64, LP64). A difference fails with the differing lines. After a
 * deliberate ABI change, regenerate the golden file with
 * `make update-layout-golden` and say why in the ABI change log.
 *
 * The member lists below are written by hand; a completeness check makes
 * sure they cover every byte of each struct but padding, so a member added
 * to plugin.h without being added here fails too.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crmsync/plugin.h>

#include "testutil.h"

struct member {
	const char *strct, *name;
	size_t offset, size, align;
};

#define M(s, m)                                                                        \
	{ #s, #m, offsetof(struct s, m), sizeof(((struct s *)0)->m),                   \
	  __alignof__(((struct s *)0)->m) }
#define END(s) { #s, NULL, sizeof(struct s), 0, __alignof__(struct s) }

static const struct member members[] = {
	M(crmsync_plugin, magic), M(crmsync_plugin, abi_major), M(crmsync_plugin, abi_minor),
	M(crmsync_plugin, size), M(crmsync_plugin, reserved), M(crmsync_plugin, name),
	M(crmsync_plugin, version), M(crmsync_plugin, description), M(crmsync_plugin, init),
	M(crmsync_plugin, fini), M(crmsync_plugin, object), M(crmsync_plugin, resolver),
	M(crmsync_plugin, notifier), END(crmsync_plugin),

	M(crmsync_object_ops, size), M(crmsync_object_ops, reserved),
	M(crmsync_object_ops, ctx_size), M(crmsync_object_ops, options),
	M(crmsync_object_ops, init), M(crmsync_object_ops, fini),
	M(crmsync_object_ops, hubspot_object), M(crmsync_object_ops, salesforce_objects),
	M(crmsync_object_ops, hubspot_properties), M(crmsync_object_ops, salesforce_fields),
	M(crmsync_object_ops, depends_on), M(crmsync_object_ops, default_mapping),
	M(crmsync_object_ops, accept), M(crmsync_object_ops, route),
	M(crmsync_object_ops, dedupe_key), M(crmsync_object_ops, transform),
	M(crmsync_object_ops, dedupe_hubspot_property),
	M(crmsync_object_ops, dedupe_salesforce_field),
	M(crmsync_object_ops, salesforce_related), M(crmsync_object_ops, links),
	M(crmsync_object_ops, pairing), M(crmsync_object_ops, start_ms),
	M(crmsync_object_ops, explain), M(crmsync_object_ops, dedupe_flags),
	M(crmsync_object_ops, reserved2), END(crmsync_object_ops),

	M(crmsync_link, size), M(crmsync_link, flags), M(crmsync_link, name),
	M(crmsync_link, target), M(crmsync_link, salesforce_object),
	M(crmsync_link, salesforce_field), M(crmsync_link, target_salesforce_object),
	M(crmsync_link, target_hubspot_object), M(crmsync_link, association_type),
	M(crmsync_link, primary_type), M(crmsync_link, junction_key), END(crmsync_link),

	M(crmsync_related, size), M(crmsync_related, reserved), M(crmsync_related, name),
	M(crmsync_related, parent), M(crmsync_related, object), M(crmsync_related, key),
	M(crmsync_related, fields), M(crmsync_related, watch), M(crmsync_related, watch_key),
	M(crmsync_related, parent_key), M(crmsync_related, option),
	END(crmsync_related),

	M(crmsync_resolver_ops, size), M(crmsync_resolver_ops, reserved),
	M(crmsync_resolver_ops, ctx_size), M(crmsync_resolver_ops, options),
	M(crmsync_resolver_ops, init), M(crmsync_resolver_ops, fini),
	M(crmsync_resolver_ops, type), M(crmsync_resolver_ops, codes),
	M(crmsync_resolver_ops, classify), END(crmsync_resolver_ops),

	M(crmsync_notifier_ops, size), M(crmsync_notifier_ops, reserved),
	M(crmsync_notifier_ops, ctx_size), M(crmsync_notifier_ops, options),
	M(crmsync_notifier_ops, init), M(crmsync_notifier_ops, fini),
	M(crmsync_notifier_ops, deliver), END(crmsync_notifier_ops),

	M(crmsync_option, key), M(crmsync_option, type), M(crmsync_option, flags),
	M(crmsync_option, def), M(crmsync_option, offset), M(crmsync_option, help),
	M(crmsync_option, choices), M(crmsync_option, min), M(crmsync_option, max),
	END(crmsync_option),

	M(crmsync_change, size), M(crmsync_change, kind), M(crmsync_change, direction),
	M(crmsync_change, reserved), M(crmsync_change, source), M(crmsync_change, target),
	END(crmsync_change),

	M(crmsync_failure, size), M(crmsync_failure, side), M(crmsync_failure, http_status),
	M(crmsync_failure, reserved), M(crmsync_failure, object), M(crmsync_failure, code),
	M(crmsync_failure, subcode), M(crmsync_failure, message), M(crmsync_failure, fields),
	M(crmsync_failure, raw), M(crmsync_failure, hubspot), M(crmsync_failure, salesforce),
	END(crmsync_failure),

	M(crmsync_digest_entry, size), M(crmsync_digest_entry, reserved),
	M(crmsync_digest_entry, type), M(crmsync_digest_entry, new_errors),
	M(crmsync_digest_entry, current_errors), M(crmsync_digest_entry, records_affected),
	M(crmsync_digest_entry, examples), END(crmsync_digest_entry),

	M(crmsync_message, size), M(crmsync_message, kind), M(crmsync_message, severity),
	M(crmsync_message, reserved), M(crmsync_message, subject), M(crmsync_message, body),
	M(crmsync_message, period_start_ms), M(crmsync_message, period_end_ms),
	M(crmsync_message, entries), END(crmsync_message),

	M(crmsync_http_request, size), M(crmsync_http_request, side),
	M(crmsync_http_request, method), M(crmsync_http_request, url),
	M(crmsync_http_request, headers), M(crmsync_http_request, body),
	M(crmsync_http_request, body_len), M(crmsync_http_request, timeout_ms),
	END(crmsync_http_request),

	M(crmsync_host, size), M(crmsync_host, abi_major), M(crmsync_host, abi_minor),
	M(crmsync_host, log), M(crmsync_host, vlog), M(crmsync_host, instance_name),
	M(crmsync_host, option_text), M(crmsync_host, rec_side), M(crmsync_host, rec_object),
	M(crmsync_host, rec_id), M(crmsync_host, rec_get), M(crmsync_host, rec_set),
	M(crmsync_host, rec_count), M(crmsync_host, rec_field_at), M(crmsync_host, http_request),
	M(crmsync_host, http_status), M(crmsync_host, http_body), M(crmsync_host, http_header),
	M(crmsync_host, http_free), M(crmsync_host, diag_set_type),
	M(crmsync_host, diag_set_detail), M(crmsync_host, diag_set_hint),
	M(crmsync_host, diag_set_retry), M(crmsync_host, diag_add_affected),
	M(crmsync_host, now_ms), M(crmsync_host, rec_external_id), END(crmsync_host),
};

#define C(name) { #name, (long long)(name) }
static const struct { const char *name; long long value; } constants[] = {
	C(CRMSYNC_ABI_MAGIC), C(CRMSYNC_ABI_MAJOR),
	C(CRMSYNC_SIDE_NONE), C(CRMSYNC_SIDE_HUBSPOT), C(CRMSYNC_SIDE_SALESFORCE),
	C(CRMSYNC_TO_SALESFORCE), C(CRMSYNC_TO_HUBSPOT),
	C(CRMSYNC_CHANGE_CREATE), C(CRMSYNC_CHANGE_UPDATE), C(CRMSYNC_CHANGE_DELETE),
	C(CRMSYNC_DECLINED), C(CRMSYNC_HANDLED), C(CRMSYNC_RETRY),
	C(CRMSYNC_LOG_ERR), C(CRMSYNC_LOG_WARNING), C(CRMSYNC_LOG_NOTICE), C(CRMSYNC_LOG_INFO),
	C(CRMSYNC_LOG_DEBUG),
	C(CRMSYNC_OPT_STRING), C(CRMSYNC_OPT_INT), C(CRMSYNC_OPT_BOOL), C(CRMSYNC_OPT_DURATION),
	C(CRMSYNC_OPT_ENUM), C(CRMSYNC_OPT_LIST), C(CRMSYNC_OPT_REQUIRED), C(CRMSYNC_OPT_SECRET),
	C(CRMSYNC_RETRY_NEVER), C(CRMSYNC_RETRY_SCHEDULE), C(CRMSYNC_RETRY_WITH_PARTNER),
	C(CRMSYNC_MSG_EVENT), C(CRMSYNC_MSG_DIGEST),
	C(CRMSYNC_LINK_WAIT), C(CRMSYNC_LINK_TO_SALESFORCE_ONLY), C(CRMSYNC_LINK_MATCH), C(CRMSYNC_LINK_JUNCTION), C(CRMSYNC_DEDUPE_AMBIGUOUS_SKIP),
};

/* The layout as text, one fact per line. */
static char *layout_text(void)
{
	struct strbuf sb = { 0 };

	strbuf_addstr(&sb, "# plugin ABI layout (x86_64, LP64); regenerate with "
			   "'make update-layout-golden'\n");
	for (size_t i = 0; i < ARRAY_SIZE(members); i++) {
		const struct member *m = &members[i];

		if (m->name)
			strbuf_addf(&sb, "%s.%s offset=%zu size=%zu\n", m->strct, m->name, m->offset,
				    m->size);
		else
			strbuf_addf(&sb, "%s size=%zu align=%zu\n", m->strct, m->offset, m->align);
	}
	for (size_t i = 0; i < ARRAY_SIZE(constants); i++)
		strbuf_addf(&sb, "%s=%lld\n", constants[i].name, constants[i].value);
	return strbuf_detach(&sb);
}

/* Every struct's members, in order, leave no gap larger than alignment
 * padding: a member missing from the list above would leave one. */
static void test_members_complete(void **state)
{
	size_t end = 0;
	const char *cur = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(members); i++) {
		const struct member *m = &members[i];

		if (!cur || strcmp(cur, m->strct) != 0) {
			cur = m->strct;
			end = 0;
		}
		if (m->offset < end)
			fail_msg("%s.%s: listed out of order or overlapping", m->strct,
				 m->name ? m->name : "(end)");
		if (m->offset - end >= m->align)
			fail_msg("struct %s: %zu unlisted bytes before %s at offset %zu: a member is "
				 "missing from test_layout.c",
				 m->strct, m->offset - end, m->name ? m->name : "its end", m->offset);
		end = m->offset + m->size;
	}
}

static int line_in(const char *text, const char *line, size_t len)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n == len && memcmp(p, line, len) == 0)
			return 1;
		p += n + (nl ? 1 : 0);
	}
	return 0;
}

/* Print the lines of a that b lacks, with a prefix; returns how many. */
static int print_missing(const char *a, const char *b, const char *prefix)
{
	int n = 0;

	for (const char *p = a; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len && p[0] != '#' && !line_in(b, p, len)) {
			print_message("%s%.*s\n", prefix, (int)len, p);
			n++;
		}
		p += len + (nl ? 1 : 0);
	}
	return n;
}

static void test_layout_matches_golden(void **state)
{
	char *now, *golden;
	int diff;

#if !defined(__x86_64__) || !defined(__LP64__)
	print_message("skipped: layout.golden holds the x86_64 (LP64) layout\n");
	skip();
#endif
	golden = tu_read(LAYOUT_GOLDEN);
	if (!golden)
		fail_msg("cannot read '%s'", LAYOUT_GOLDEN);
	now = layout_text();
	diff = print_missing(golden, now, "- golden:  ");
	diff += print_missing(now, golden, "+ current: ");
	if (diff)
		fail_msg("the plugin ABI layout differs from %s in %d line(s) (above). If the change "
			 "is deliberate, run 'make update-layout-golden' and log it in plugin.h",
			 LAYOUT_GOLDEN, diff);
	free(now);
	free(golden);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members_complete),
		cmocka_unit_test(test_layout_matches_golden),
	};

	if (argc == 2 && strcmp(argv[1], "--dump") == 0) {
		char *text = layout_text();

		fputs(text, stdout);
		free(text);
		return 0;
	}
	return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
