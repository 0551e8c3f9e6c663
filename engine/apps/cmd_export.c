/* partonflow export lhapdf: a fit as an LHAPDF6 set (pf_lhapdf_export, lhapdf.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "partonflow/lhapdf.h"

static void export_usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow export lhapdf --fit FIT.h5 [--replicas DIR] --out DIR/NAME\n"
            "                                [--nx N] [--nq N] [--threads T]\n\n"
            "Writes the fit as an LHAPDF6 set (format lhagrid1, arXiv:1412.7420) in the new folder\n"
            "DIR/NAME: NAME.info and NAME_0000.dat .. one member per file.  Member 0 is the central\n"
            "fit; with --replicas, members 1..N are the bootstrap replicas DIR/replica_K.h5\n"
            "(ErrorType replicas), otherwise the symmetric Hessian eigenvector members of the\n"
            "fit's covariance (ErrorType symmhessian).  Every member is evolved exactly (the\n"
            "engine's default Mellin contour) onto x knots from 1e-6 to 1 and Q knots from mu0 to\n"
            "1e5 GeV, one subgrid per heavy-quark threshold interval (docs/artefacts.md).\n"
            "Load it with LHAPDF after adding DIR to LHAPDF_DATA_PATH.\n\n"
            "options:\n"
            "  --fit FIT.h5    a converged fit (partonflow fit)\n"
            "  --replicas DIR  folder with replica_1.h5 .. replica_N.h5, every K present\n"
            "  --out DIR/NAME  the set folder to create; DIR must exist, DIR/NAME must not\n"
            "  --nx N          x knots including x = 1 (default 400)\n"
            "  --nq N          Q knots per subgrid (default 50)\n"
            "  --threads T     OpenMP threads (default: OMP_NUM_THREADS or all cores)\n\n"
            "exit codes: 0 success, 2 bad input (message on stderr), 1 other failure\n");
}

int pf_cmd_export(int argc, char **argv)
{
    pf_status st;
    pf_status_clear(&st);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        export_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? PF_EXIT_USAGE : PF_EXIT_OK;
    }
    if (strcmp(argv[1], "lhapdf"))
        return pf_cli_usage_error("export", "unknown format '%s': expected 'lhapdf' ('partonflow export --help')",
                                  argv[1]);
    pf_lhapdf_export_opts o = {0};
    pf_pdfgrid_spec_default(&o.grid);
    size_t threads = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            export_usage(stdout);
            return PF_EXIT_OK;
        }
        if (strcmp(a, "--fit") && strcmp(a, "--replicas") && strcmp(a, "--out") && strcmp(a, "--nx")
            && strcmp(a, "--nq") && strcmp(a, "--threads"))
            return pf_cli_usage_error("export", "unknown argument '%s' ('partonflow export --help')", a);
        if (i + 1 >= argc) return pf_cli_usage_error("export", "%s needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--fit")) o.fit = v;
        else if (!strcmp(a, "--replicas")) o.replicas = v;
        else if (!strcmp(a, "--out")) o.out = v;
        else if (!strcmp(a, "--nx") ? pf_cli_parse_size(a, v, &o.grid.nx, &st)
                 : !strcmp(a, "--nq") ? pf_cli_parse_size(a, v, &o.grid.nq, &st)
                                      : pf_cli_parse_threads(v, &threads, &st))
            return pf_cli_fail("export", &st);
    }
    if (!o.fit || !o.out)
        return pf_cli_usage_error("export", "--fit and --out are required ('partonflow export --help')");
    pf_cli_set_threads((int)threads);
    char *cl = pf_cli_command_line(pf_cli_argc, pf_cli_argv);
    o.command_line = cl;
    pf_lhapdf_export_info info;
    const int rc = pf_lhapdf_export(&o, &info, &st);
    free(cl);
    if (rc) return pf_cli_fail("export", &st);
    printf("partonflow export: %s: %zu members (%s), %zu x knots, %zu Q knots in %zu subgrids\n", o.out,
           info.members, info.error_type, info.nx, info.nq_total, info.nsub);
    return PF_EXIT_OK;
}
