/* The CLI's --device choice (pf_cuda_select_device): cpu is always allowed; the default
 * is cuda only with a device in a CUDA build; cuda without one fails with the message the
 * CLI prints ("this build has no CUDA" / "no CUDA device"); other values are input errors.
 * Runs in every build: it checks against what the build and the machine provide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "partonflow/cuda.h"
#include "pf_config.h"

static void test_device_selection(void **state)
{
    (void)state;
    pf_status st;
    pf_status_clear(&st);
    char label[300];
    int use = -1;
    assert_int_equal(pf_cuda_select_device("cpu", &use, label, sizeof label, &st), PF_OK);
    assert_int_equal(use, 0);
    assert_string_equal(label, "cpu");
    assert_int_equal(pf_cuda_select_device("gpu", &use, label, sizeof label, &st), PF_EINVAL);
    assert_non_null(strstr(st.msg, "expected cpu or cuda, got 'gpu'"));
    const int have = PF_HAVE_CUDA_BUILD && pf_cuda_device_count() > 0;
    assert_int_equal(pf_cuda_select_device(NULL, &use, label, sizeof label, &st), PF_OK);
    assert_int_equal(use, have);
    assert_true(have ? !strncmp(label, "cuda:", 5) && strlen(label) > 5 : !strcmp(label, "cpu"));
    int rc = pf_cuda_select_device("cuda", &use, label, sizeof label, &st);
    if (have) {
        assert_int_equal(rc, PF_OK);
        assert_int_equal(use, 1);
    } else {
        assert_int_equal(rc, PF_ECUDA);
        assert_int_equal(use, 0);
        assert_non_null(strstr(st.msg, PF_HAVE_CUDA_BUILD ? "--device cuda: no CUDA device"
                                                          : "--device cuda: this build has no CUDA"));
    }
}

/* cuBLAS is opened at run time (gemm.cu), not linked: in a CUDA build it must be found
 * and have its entry points, device or not; without CUDA the call says so. */
static void test_cublas_opens_at_run_time(void **state)
{
    (void)state;
    pf_status st;
    pf_status_clear(&st);
    const int rc = pf_cuda_blas_open(&st);
    if (PF_HAVE_CUDA_BUILD) {
        if (rc != PF_OK) fail_msg("%s", st.msg);
    } else {
        assert_int_equal(rc, PF_ECUDA);
        assert_non_null(strstr(st.msg, "built without CUDA"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_device_selection),
                                       cmocka_unit_test(test_cublas_opens_at_run_time)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
