"""Small, valid PDFs written by hand for the tests (Helvetica, WinAnsi text, an Info title)."""

from __future__ import annotations


def _literal(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(title: str, lines: list[str], *, pages: int = 1, author: str = "") -> bytes:
    """Return a PDF of `pages` pages, each showing `lines`, with `title` in its Info."""
    objects: list[bytes] = []
    kids = " ".join(f"{4 + 2 * n} 0 R" for n in range(pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                   b"/Encoding /WinAnsiEncoding >>")
    for n in range(pages):
        stream = b"BT /F1 12 Tf 72 720 Td 14 TL " + b" ".join(
            _literal(line) + b" '" for line in lines) + b" ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * n} 0 R >>"
                       .encode())
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n"
                       + stream + b"\nendstream")
    info = b"<< /Title " + _literal(title) + (b" /Author " + _literal(author) if author else b"") \
        + b" /Producer (hrba tests) >>"
    objects.append(info)
    return _file(objects, f"/Info {len(objects)} 0 R")


def _file(objects: list[bytes], trailer: str) -> bytes:
    """Return a PDF file of `objects` (numbered from 1, the first the catalog), with its
    cross-reference table and `trailer` entries besides /Size and /Root."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer} >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


# The standard security handler, revision 2 (40-bit RC4), as PDF 1.4 readers all know it.
_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    state, j = list(range(256)), 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def encrypted_pdf(lines: list[str], *, user_password: bytes = b"secret",
                  owner_password: bytes = b"owner") -> bytes:
    """Return a one-page PDF encrypted with RC4 (an empty user password opens it freely)."""
    import hashlib
    import struct

    padded_user = (user_password + _PAD)[:32]
    owner = _rc4(hashlib.md5((owner_password + _PAD)[:32]).digest()[:5], padded_user)
    permissions, file_id = -44, hashlib.md5(b"hrba tests").digest()
    key = hashlib.md5(padded_user + owner + struct.pack("<i", permissions) + file_id).digest()[:5]
    user = _rc4(key, _PAD)
    stream = b"BT /F1 12 Tf 72 720 Td 14 TL " + b" ".join(_literal(line) + b" '" for line in lines) + b" ET"
    object_key = hashlib.md5(key + (4).to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[:10]
    stream = _rc4(object_key, stream)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + owner.hex().encode() + b"> /U <" + user.hex().encode()
        + b"> /P " + str(permissions).encode() + b" >>",
    ]
    return _file(objects, f"/Encrypt 6 0 R /ID [<{file_id.hex()}> <{file_id.hex()}>]")
