"""Edits an artefact the way a careless tool would and re-seals it: the payload checksum is
recomputed exactly as docs/artefacts.md specifies (h5py for the data, the system's
libxxhash for XXH64), so that the file passes the checksum and only the structural
validation of the reader can refuse it."""
import ctypes
import ctypes.util
import struct

import h5py
import numpy as np


# /meta attributes outside the checksum (engine/src/io/h5_checksum.c pf_h5_meta_volatile)
META_VOLATILE = {"checksum", "created", "command_line", "device", "theory_path"}


def _xxh64():
    lib = ctypes.CDLL(ctypes.util.find_library("xxhash") or "libxxhash.so.0")
    lib.XXH64.restype = ctypes.c_uint64
    lib.XXH64.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64]
    return lambda b: lib.XXH64(b, len(b), 0)


def _u64(v):
    return struct.pack("<Q", v)


def _s(text):
    b = text.encode() if isinstance(text, str) else bytes(text)
    return _u64(len(b)) + b


def _typed(dtype, values):
    assert dtype.kind in "fiu", dtype
    le = np.asarray(values).astype(dtype.newbyteorder("<"))
    return dtype.kind.encode() + bytes([dtype.itemsize]), le


def payload_stream(f):
    paths = ["/"]
    f.visit(lambda name: paths.append("/" + name))
    out = bytearray()
    for p in sorted(paths):
        obj = f[p]
        is_dset = isinstance(obj, h5py.Dataset)
        out += b"D" if is_dset else b"G"
        out += _s(p)
        if is_dset:
            head, le = _typed(obj.dtype, obj[()])
            out += head + _u64(len(obj.shape)) + b"".join(_u64(d) for d in obj.shape) + le.tobytes()
        names = sorted(n for n in obj.attrs.keys() if p != "/meta" or n not in META_VOLATILE)
        out += _u64(len(names))
        for n in names:
            out += _s(n)
            dt = obj.attrs.get_id(n).dtype
            v = obj.attrs[n]
            if h5py.check_string_dtype(dt) is not None:
                out += b"s" + bytes([0]) + _s(v if isinstance(v, (str, bytes)) else v.decode())
            else:
                head, le = _typed(dt, v)
                out += head + _u64(le.size) + le.tobytes()
    return bytes(out)


def reseal(path):
    """Writes the recomputed payload checksum into /meta/checksum."""
    with h5py.File(path, "r+") as f:
        f["meta"].attrs.modify("checksum", np.uint64(_xxh64()(payload_stream(f))))


def replace(f, name, data, dtype=None):
    """Replaces dataset `name` of an open h5py file by `data` (attributes kept)."""
    attrs = dict(f[name].attrs)
    del f[name]
    d = f.create_dataset(name, data=np.asarray(data, dtype=dtype))
    for k, v in attrs.items():
        d.attrs[k] = v


def edited(src, dst, edit):
    """Copies src to dst, applies edit(h5py.File) and re-seals; returns dst."""
    dst.write_bytes(src.read_bytes())
    with h5py.File(dst, "r+") as f:
        edit(f)
    reseal(dst)
    return dst
