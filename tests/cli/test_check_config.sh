#!/bin/sh
# test_check_config.sh - `crmsync check-config` and `crmsyncd --check`: OK and
# exit 0 on a good config; exit 1 with every error, each naming file, line,
# section and key, on a broken one.
. "$top_srcdir/tests/cli/lib.sh"

write_good_config "$T/good.conf"
run 0 "$CRMSYNC" check-config "$T/good.conf"
has "$T/out" "$T/good.conf: OK (2 objects, 1 enabled; 1 resolver; 1 notifier; 1 dispatch rule)"
# -c and CRMSYNC_CONFIG give the file too
run 0 "$CRMSYNC" -c "$T/good.conf" check-config
has "$T/out" "OK"
CRMSYNC_CONFIG="$T/good.conf" run 0 "$CRMSYNC" check-config
has "$T/out" "OK"
run 0 "$CRMSYNCD" --check -c "$T/good.conf"
has "$T/err" "check done"

printf 'secret-value-1234\n' > "$T/token"
chmod 644 "$T/token"
cat > "$T/bad.conf" <<'INI'
[core]
interval = soon

[object contact]
plugin = good
name = Alice
colour = blue
retries = 99
token = token

[object other]
plugin = good

[resolver r]
plugin = good

[dispatch]
SOME_CODE = nobody
INI
run 1 "$CRMSYNC" check-config "$T/bad.conf"
f="$T/bad.conf"
has "$T/err" "$f:2: [core] interval: 'soon' is not a duration"
has "$T/err" "$f:7: [object contact] colour: unknown key"
has "$T/err" "$f:8: [object contact] retries: 99 is out of range (0 to 10)"
has "$T/err" "$f:9: [object contact] token: secret file"
has "$T/err" "chmod 600"
has "$T/err" "$f:11: [object other] name: missing required key"
has "$T/err" "$f:18: [dispatch] SOME_CODE: no [resolver nobody] section"
has "$T/err" "'$f': 6 errors"
lacks "$T/err" "secret-value"
lacks "$T/out" "OK"
run 1 "$CRMSYNCD" --check -c "$T/bad.conf"
has "$T/err" "$f:7: [object contact] colour: unknown key"
lacks "$T/err" "secret-value"

# a plugin built for another ABI major is refused naming both versions
cp "$top_builddir/tests/fixtures/.libs/major2.so" "$T/plugins/major2.so"
printf '[object contact]\nplugin = major2\n' > "$T/major.conf"
run 1 "$CRMSYNC" check-config "$T/major.conf"
has "$T/err" "built for ABI $ABI_NEXT_MAJOR, crmsyncd provides $ABI"
has "$T/err" "$T/major.conf:2: [object contact] plugin: cannot use plugin 'major2'"

run 1 "$CRMSYNC" check-config "$T/missing.conf"
has "$T/err" "$T/missing.conf: cannot read"
finish
