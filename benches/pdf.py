"""Valid one-page PDFs for the benchmarks: `python3 benches/pdf.py OUT.pdf TEXT [PADDING_BYTES]`.

PADDING_BYTES of random hex in comment lines make each file different and incompressible."""
import os
import sys


def pdf(text, padding_bytes=0):
    content = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    lines = padding_bytes // 66
    out += b"".join(b"% " + os.urandom(32).hex().encode() + b"\n" for _ in range(lines))
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


if __name__ == "__main__":
    padding = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    with open(sys.argv[1], "wb") as out:
        out.write(pdf(sys.argv[2], padding))
