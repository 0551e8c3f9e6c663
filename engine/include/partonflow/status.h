/* partonflow: the one error convention of the library.
 *
 * Every fallible routine returns an int status (PF_OK on success) and, when it fails,
 * fills a caller-owned pf_status with the code and one sentence that says what was
 * wrong, where (file, key, line, index) and what was expected.  The library never
 * prints and never exits; the CLI turns a status into a message and an exit code. */
#ifndef PARTONFLOW_STATUS_H
#define PARTONFLOW_STATUS_H

#include <stddef.h>

enum pf_code {
    PF_OK = 0,
    PF_EINVAL,    /* invalid argument or input value */
    PF_ECARD,     /* malformed theory card */
    PF_ENOMEM,    /* allocation failed */
    PF_EIO,       /* file could not be opened, read or written */
    PF_EFORMAT,   /* artefact has the wrong schema, version or layout */
    PF_ECHECKSUM, /* artefact payload does not match its checksum */
    PF_ENOCONV,   /* an iteration did not converge */
    PF_EDOMAIN,   /* a value outside the domain where the physics is defined */
    PF_EMPI,      /* an MPI call failed */
    PF_ECUDA,     /* a CUDA call failed or no device is present */
    PF_EINTERNAL  /* an invariant of the library was broken (a bug) */
};

#define PF_STATUS_MSG_LEN 1024

typedef struct pf_status {
    int code;
    char msg[PF_STATUS_MSG_LEN];
} pf_status;

/* Sets st (if non-NULL) to code and a printf-formatted message; returns code so that
 * callers can write `return pf_status_set(st, PF_EINVAL, "...", ...);`. */
int pf_status_set(pf_status *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with more context ("reading theory.h5: " + old). */
int pf_status_prefix(pf_status *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void pf_status_clear(pf_status *st);

/* A short name for a code ("invalid argument", "malformed card", ...). */
const char *pf_code_name(int code);

#endif
