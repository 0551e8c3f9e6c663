/* partonflow card: work with theory cards.  `partonflow card check CARD` validates a card
 * and prints it resolved (every default filled in) as YAML on stdout; a bad card gives a
 * message naming the file, line and key on stderr and exit code 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "partonflow/card.h"

static void card_usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow card check CARD\n\n"
            "Validates the theory card CARD (YAML, format in docs/cards.md) and prints the\n"
            "resolved card, with every default written out, on stdout.  This is the text every\n"
            "artefact stores in /meta, and it reads back to the same card.\n\n"
            "exit codes: 0 valid card, 2 invalid card or usage error (message on stderr)\n");
}

int pf_cmd_card(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        card_usage(stdout);
        return PF_EXIT_OK;
    }
    if (argc < 2) {
        card_usage(stderr);
        return PF_EXIT_USAGE;
    }
    if (strcmp(argv[1], "check"))
        return pf_cli_usage_error("card", "unknown action '%s'; expected 'check' ('partonflow card --help')",
                                  argv[1]);
    if (argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        card_usage(stdout);
        return PF_EXIT_OK;
    }
    if (argc != 3 || argv[2][0] == '-')
        return pf_cli_usage_error("card check", "expected exactly one card file, e.g. "
                                                "'partonflow card check configs/cards/default.yaml'");
    pf_card card;
    pf_status st;
    pf_status_clear(&st);
    if (pf_card_read(argv[2], &card, &st) != PF_OK)
        return pf_cli_fail("card check", &st);
    char *yaml = pf_card_to_yaml(&card);
    if (!yaml) {
        pf_status_set(&st, PF_ENOMEM, "cannot format the resolved card");
        return pf_cli_fail("card check", &st);
    }
    fputs(yaml, stdout);
    free(yaml);
    return fflush(stdout) == 0 ? PF_EXIT_OK : PF_EXIT_FAIL;
}
