/* The error convention: pf_status_set formats and returns the code, NULL is allowed,
 * prefixes add context, long messages are cut without overflow, every code has a name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "partonflow/status.h"

static void test_set_formats_and_returns_the_code(void **state)
{
    (void)state;
    pf_status st;
    pf_status_clear(&st);
    assert_int_equal(st.code, PF_OK);
    assert_string_equal(st.msg, "");
    assert_int_equal(pf_status_set(&st, PF_ECARD, "%s:%d: key '%s'", "c.yaml", 7, "theory.mu0"), PF_ECARD);
    assert_int_equal(st.code, PF_ECARD);
    assert_string_equal(st.msg, "c.yaml:7: key 'theory.mu0'");
    assert_int_equal(pf_status_set(NULL, PF_EIO, "ignored %d", 1), PF_EIO); /* NULL status is allowed */
    assert_int_equal(pf_status_prefix(NULL, "x"), PF_OK);
}

static void test_prefix_adds_context_in_front(void **state)
{
    (void)state;
    pf_status st;
    pf_status_set(&st, PF_ECHECKSUM, "checksum mismatch");
    assert_int_equal(pf_status_prefix(&st, "reading %s: ", "theory.h5"), PF_ECHECKSUM);
    assert_string_equal(st.msg, "reading theory.h5: checksum mismatch");
}

static void test_long_messages_are_cut_not_overflowed(void **state)
{
    (void)state;
    char big[3 * PF_STATUS_MSG_LEN];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    pf_status st;
    pf_status_set(&st, PF_EINVAL, "%s", big);
    assert_int_equal(strlen(st.msg), PF_STATUS_MSG_LEN - 1);
    pf_status_prefix(&st, "%s", big);
    assert_int_equal(strlen(st.msg), PF_STATUS_MSG_LEN - 1);
}

static void test_every_code_has_its_own_name(void **state)
{
    (void)state;
    for (int a = PF_OK; a <= PF_EINTERNAL; a++) {
        assert_true(strlen(pf_code_name(a)) > 0);
        for (int b = a + 1; b <= PF_EINTERNAL; b++)
            assert_string_not_equal(pf_code_name(a), pf_code_name(b));
    }
    assert_string_equal(pf_code_name(PF_ECARD), "malformed card");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_formats_and_returns_the_code),
        cmocka_unit_test(test_prefix_adds_context_in_front),
        cmocka_unit_test(test_long_messages_are_cut_not_overflowed),
        cmocka_unit_test(test_every_code_has_its_own_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
