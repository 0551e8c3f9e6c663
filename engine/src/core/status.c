#include "partonflow/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int pf_status_set(pf_status *st, int code, const char *fmt, ...)
{
    if (st) {
        /* formatted into a copy first: an argument may be st->msg itself ("... (%s)", st->msg),
         * and vsnprintf from a buffer into itself is undefined */
        char msg[PF_STATUS_MSG_LEN];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        st->code = code;
        memcpy(st->msg, msg, sizeof msg);
    }
    return code;
}

int pf_status_prefix(pf_status *st, const char *fmt, ...)
{
    if (!st)
        return PF_OK;
    char old[PF_STATUS_MSG_LEN];
    memcpy(old, st->msg, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(st->msg, sizeof st->msg, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof st->msg)
        snprintf(st->msg + n, sizeof st->msg - (size_t)n, "%s", old);
    return st->code;
}

void pf_status_clear(pf_status *st)
{
    if (st) {
        st->code = PF_OK;
        st->msg[0] = '\0';
    }
}

const char *pf_code_name(int code)
{
    switch (code) {
    case PF_OK: return "ok";
    case PF_EINVAL: return "invalid argument";
    case PF_ECARD: return "malformed card";
    case PF_ENOMEM: return "out of memory";
    case PF_EIO: return "input/output error";
    case PF_EFORMAT: return "bad artefact format";
    case PF_ECHECKSUM: return "checksum mismatch";
    case PF_ENOCONV: return "no convergence";
    case PF_EDOMAIN: return "outside the physical domain";
    case PF_EMPI: return "MPI error";
    case PF_ECUDA: return "CUDA error";
    default: return "internal error";
    }
}
