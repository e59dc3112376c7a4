#!/bin/sh
# test_plugins.sh - `crmsync plugins list` and `crmsync plugins describe`.
. "$top_srcdir/tests/cli/lib.sh"

write_good_config "$T/c.conf"
run 0 "$CRMSYNC" -c "$T/c.conf" plugins list
has "$T/out" "NAME"
has "$T/out" "PATH"
line=$(grep '^good ' "$T/out")
for word in good 1.2.3 "$ABI" object,resolver,notifier "$T/plugins/good.so"; do
	case " $line " in
	*" $word "*) ;;
	*) fail "plugins list line '$line' lacks '$word'" ;;
	esac
done
[ "$(grep -c '^good ' "$T/out")" = 1 ] || fail "plugins list shows good more than once"

run 0 "$CRMSYNC" -c "$T/c.conf" plugins describe good
o="$T/out"
has "$o" "good 1.2.3 (ABI $ABI): test fixture: one component of each kind"
has "$o" "object: HubSpot contacts <-> Salesforce Lead Contact"
has "$o" "resolver: error type 'good', claims by default: GOOD_CODE"
for text in "display name of the pair (required)" \
	"file holding the API token (secret: the value is a file, mode 0600)" \
	"how often to retry a write" "integer, default 3, 0..10" \
	"how long one write may take" "duration, default 30s" \
	"log every record" "boolean, default no" \
	"how careful to be" "fast|safe|slow, default safe" \
	"labels put on every record" "list, default a, b" \
	"a file the plugin reads" \
	"label of the errors it classifies" "string, default any" \
	"where messages go" "string, default #ops" \
	"messages sent at once" "integer, default 5, 1..100" \
	"[object NAME]" "[resolver NAME]" "[notifier NAME]" "frequency"; do
	has "$o" "$text"
done

# a plugin that is not configured can be described too
cp "$T/plugins/good.so" "$T/plugins/spare.so"
printf '[core]\n' > "$T/empty.conf"
run 0 "$CRMSYNC" -c "$T/empty.conf" plugins describe spare
has "$T/out" "$T/plugins/spare.so"
run 0 "$CRMSYNC" -c "$T/empty.conf" plugins list
lacks "$T/out" "good"

run 1 "$CRMSYNC" -c "$T/empty.conf" plugins describe absent
has "$T/err" "cannot find plugin 'absent'"
run 1 "$CRMSYNC" -c "$T/empty.conf" plugins describe ../good
has "$T/err" "refusing plugin name '../good'"
finish
