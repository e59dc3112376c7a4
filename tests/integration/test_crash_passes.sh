#!/bin/sh
# test_crash.sh in passes of 100 ([core] batch_records): the SIGKILLs land
# inside passes and between them; still no duplicate and no lost record.
CORE_EXTRA="batch_records = 100"
. "$top_srcdir/tests/integration/test_crash.sh"
