"""The fuzz campaign's triage (tools/fuzz.sh, hdf5_defect): a crash inside Debian's
libhdf5 parsing a damaged file is counted as a libhdf5 defect, anything in partonflow's own
code is a finding that fails the campaign.  The stacks are cut from real campaign logs
(docs/reliability.md, "Fuzzing"); the function is taken from the script itself."""
import re
import subprocess

import pytest

from conftest import SOURCE_ROOT

LIB = "(/lib/x86_64-linux-gnu/libhdf5_openmpi.so.103+0x{:x}) (BuildId: 817a)"
BIN = "(/build-fuzz/tests/fuzz/fuzz_likelihood+0x{:x}) (BuildId: f70b)"


def frames(*names):
    out = []
    for i, n in enumerate(names):
        where = BIN.format(i) if n in ("free", "malloc", "__interceptor_memcpy") else \
            (LIB.format(i) if n.startswith("H5") or n == "" else f"/src/engine/{n}.c:{i}:1")
        out.append(f"    #{i} 0x{i:x} in {n} {where}" if n else f"    #{i} 0x{i:x}  {where}")
    return "\n".join(out) + "\n"


# the campaign of ci6: a wild free from H5HG__free when H5Fclose flushes a damaged global
# heap (the memcpy in H5HG_read before it is suppressed by tools/fuzz.supp)
BAD_FREE_IN_HDF5 = (
    "==26391==ERROR: AddressSanitizer: attempting free on address which was not "
    "malloc()-ed: 0x621000015500 in thread T0\n"
    + frames("free", "", "H5FL_blk_free", "H5HG__free", "H5C__flush_single_entry",
             "H5Fclose", "pf_h5_close", "pf_h5_open", "pf_like_read")
    + "SUMMARY: AddressSanitizer: bad-free in free\n")
SEGV_IN_HDF5 = (
    "==23993==ERROR: AddressSanitizer: SEGV on unknown address 0x00000000004c\n"
    + frames("H5A__close", "H5A__attr_release_table", "H5Aiterate2", "hash_attrs",
             "pf_h5_checksum_file")
    + "SUMMARY: AddressSanitizer: SEGV in H5A__close\n")
MEMCPY_IN_HDF5 = (
    "==18407==ERROR: AddressSanitizer: memcpy-param-overlap: memory ranges overlap\n"
    + frames("__interceptor_memcpy", "H5HG_read", "", "H5T__conv_vlen", "H5Aread",
             "read_vlen_string_watched")
    + "SUMMARY: AddressSanitizer: memcpy-param-overlap in __interceptor_memcpy\n")
# partonflow's own mistakes, with libhdf5 further down or not at all
DOUBLE_FREE_IN_PF = (
    "==1==ERROR: AddressSanitizer: attempting double-free on 0x6020000000f0\n"
    + frames("free", "pf_like_free", "pf_fit_problem_close", "H5Fclose")
    + "SUMMARY: AddressSanitizer: double-free in free\n")
OVERFLOW_IN_PF = (
    "==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x6020000000f0\n"
    + frames("__interceptor_memcpy", "pf_h5_read_events", "H5Dread")
    + "SUMMARY: AddressSanitizer: heap-buffer-overflow in __interceptor_memcpy\n")
# heap metadata overwritten earlier by uninstrumented code, found when the quarantine
# recycled a block that libyaml freed while parsing the next input's card (ci16, 7 Dec 2026)
YAML = "(/lib/x86_64-linux-gnu/libyaml-0.so.2+0x{:x}) (BuildId: 11b2)"
ALLOC_CHECK_AT_YAML_FREE = (
    'AddressSanitizer: CHECK failed: asan_allocator.cpp:188 "((old)) == ((kAllocBegMagic))"\n'
    "==1== ERROR: libFuzzer: deadly signal\n"
    + "".join(f"    #{i} 0x{i:x} in {n} {BIN.format(i)}\n" for i, n in enumerate(
        ["__sanitizer::CheckFailed", "__asan::QuarantineCallback::Recycle", "free"]))
    + f"    #3 0x3  {YAML.format(0x7d05)}\n    #4 0x4 in yaml_parser_load {YAML.format(0x132ea)}\n"
    + "    #5 0x5 in pf_card_parse /src/engine/src/core/card.c:397:10\n")
# the same CHECK with partonflow's own code freeing the block stays a finding
ALLOC_CHECK_AT_PF_FREE = (
    'AddressSanitizer: CHECK failed: asan_allocator.cpp:188 "((old)) == ((kAllocBegMagic))"\n'
    + "".join(f"    #{i} 0x{i:x} in {n} {BIN.format(i)}\n" for i, n in enumerate(
        ["__sanitizer::CheckFailed", "__asan::QuarantineCallback::Recycle", "free"]))
    + "    #3 0x3 in pf_like_free /src/engine/src/fit/like.c:620:5\n")
LEAK = ("==1==ERROR: LeakSanitizer: detected memory leaks\n"
        + frames("malloc", "H5FL_blk_malloc", "pf_h5_open")
        + "SUMMARY: AddressSanitizer: 64 byte(s) leaked in 1 allocation(s).\n")


def triage(log_text, tmp_path):
    script = (SOURCE_ROOT / "tools" / "fuzz.sh").read_text()
    m = re.search(r"^hdf5_defect\(\) \{.*?^\}", script, re.S | re.M)
    assert m, "tools/fuzz.sh has no hdf5_defect function"
    log = tmp_path / "run.log"
    log.write_text(log_text)
    r = subprocess.run(["bash", "-c", m.group(0) + '\nhdf5_defect "$1"', "triage", str(log)])
    return "libhdf5" if r.returncode == 0 else "finding"


@pytest.mark.parametrize("log,expected", [
    (BAD_FREE_IN_HDF5, "libhdf5"),
    (SEGV_IN_HDF5, "libhdf5"),
    (MEMCPY_IN_HDF5, "libhdf5"),
    (DOUBLE_FREE_IN_PF, "finding"),
    (OVERFLOW_IN_PF, "finding"),
    (LEAK, "finding"),
    (ALLOC_CHECK_AT_YAML_FREE, "libhdf5"),
    (ALLOC_CHECK_AT_PF_FREE, "finding"),
], ids=["bad-free-H5HG__free", "segv-H5A__close", "memcpy-H5HG_read",
        "double-free-partonflow", "overflow-partonflow", "leak",
        "allocator-check-libyaml-free", "allocator-check-partonflow-free"])
def test_triage(log, expected, tmp_path):
    assert triage(log, tmp_path) == expected
