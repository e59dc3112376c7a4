# tests/sim/sf.mk: the simulator's Salesforce side (included by tests/sim/Makefile.inc)
SIM_SF_SOURCES = tests/sim/sf.h tests/sim/sf_soql.h \
	tests/sim/sf_side.c tests/sim/sf_auth.c tests/sim/sf_oauth.c tests/sim/sf_ids.c tests/sim/sf_map.c \
	tests/sim/sf_geo.c tests/sim/sf_schema.c tests/sim/sf_config.c tests/sim/sf_store.c \
	tests/sim/sf_out.c tests/sim/sf_write.c tests/sim/sf_rules.c tests/sim/sf_soql.c \
	tests/sim/sf_soql_eval.c tests/sim/sf_query.c tests/sim/sf_records.c \
	tests/sim/sf_collections.c tests/sim/sf_composite.c tests/sim/sf_describe.c \
	tests/sim/sf_bulk.c tests/sim/sf_csv.c tests/sim/sf_gen.c tests/sim/sf_admin.c tests/sim/sf_convert.c

EXTRA_DIST += tests/sim/schema.example.json

# ---- Salesforce side tests ---------------------------------------------------
SIM_SF_SH_TESTS = tests/sim/test_sf_api.sh tests/sim/test_sf_collections.sh \
	tests/sim/test_sf_composite_bulk.sh tests/sim/test_sf_oauth.sh
TESTS += $(SIM_SF_SH_TESTS)
dist_check_SCRIPTS += $(SIM_SF_SH_TESTS)
EXTRA_DIST += tests/sim/sf_testlib.sh bench/sim-sf/collections_rate.py

if HAVE_CMOCKA
check_PROGRAMS += tests/sim/test_sf_core
TESTS += tests/sim/test_sf_core
tests_sim_test_sf_core_SOURCES = tests/sim/test_sf_core.c tests/sim/sf.h tests/sim/sf_soql.h \
	tests/sim/sf_ids.c tests/sim/sf_map.c tests/sim/sf_geo.c tests/sim/sf_schema.c \
	tests/sim/sf_config.c tests/sim/sf_store.c tests/sim/sf_out.c tests/sim/sf_write.c \
	tests/sim/sf_rules.c tests/sim/sf_soql.c tests/sim/sf_soql_eval.c tests/sim/sf_records.c \
	tests/sim/sf_gen.c tests/sim/sf_convert.c tests/sim/gen.c tests/sim/util.c tests/sim/sim.h
tests_sim_test_sf_core_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS)
tests_sim_test_sf_core_LDADD = $(CMOCKA_LIBS) $(JANSSON_LIBS) $(LIBM)
endif

# Contract check of the Salesforce side (needs npx, curl, jq; not in make check)
EXTRA_DIST += tests/sim/contract_salesforce.sh tests/contracts/salesforce
contract-check-sf: crmsync-sim
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		$(SHELL) $(abs_top_srcdir)/tests/sim/contract_salesforce.sh
.PHONY: contract-check-sf
