/* libFuzzer target: the card parser (docs/reliability.md, "Fuzzing").  Any byte string is
 * either refused with a message or parsed; a parsed card's resolved YAML (what every
 * artefact stores in /meta and later stages parse again) must parse again and resolve to
 * the same text.  Anything else (crash, sanitizer report, leak, round-trip mismatch) is a
 * finding. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partonflow/card.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static pf_card card, again; /* large structs: not on the stack */
    pf_status st;
    pf_status_clear(&st);
    if (pf_card_parse((const char *)data, size, "fuzz.yaml", &card, &st) != PF_OK) {
        if (!st.msg[0]) {
            fprintf(stderr, "fuzz_card: refused without a message\n");
            abort();
        }
        return 0;
    }
    char *yaml = pf_card_to_yaml(&card);
    if (!yaml) abort();
    pf_status_clear(&st);
    if (pf_card_parse(yaml, strlen(yaml), "resolved.yaml", &again, &st) != PF_OK) {
        fprintf(stderr, "fuzz_card: the resolved card does not parse again: %s\n%s\n", st.msg, yaml);
        abort();
    }
    char *yaml2 = pf_card_to_yaml(&again);
    if (!yaml2 || strcmp(yaml, yaml2)) {
        fprintf(stderr, "fuzz_card: resolving is not idempotent:\n%s\n---\n%s\n", yaml, yaml2 ? yaml2 : "(null)");
        abort();
    }
    free(yaml);
    free(yaml2);
    return 0;
}
