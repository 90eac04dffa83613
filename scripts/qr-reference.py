#!/usr/bin/env python3
"""Writes the reference QR code matrices PosGuard's own encoder is tested against
(Tests/PosGuardDomainTests/QRCodeReferences.swift), made by an independent implementation: the PyPI `qrcode`
package (`pip install qrcode`; the fixtures were made with qrcode 8.2).

Every text is encoded as UTF-8 in byte mode, as PosGuard encodes it, in the smallest version that holds it,
with the mask of lowest penalty unless one is named. Full matrices are written for a few texts; for every
version and error correction level the SHA-256 of the matrix of a text that exactly fills that version.

Usage: python3 scripts/qr-reference.py   (then run swift format on the file it wrote)
"""
import hashlib
import json
import pathlib

import qrcode
from qrcode import constants, util

LEVELS = [
    ("low", constants.ERROR_CORRECT_L),
    ("medium", constants.ERROR_CORRECT_M),
    ("quartile", constants.ERROR_CORRECT_Q),
    ("high", constants.ERROR_CORRECT_H),
]

# Texts whose whole matrix is kept: (Swift name, text, forced mask or None).
TEXTS = [
    ("short", "PosGuard", None),
    (
        "enrolment",
        "otpauth://totp/PosGuard:alice%40example.com?secret=JBSWY3DPEHPK3PXP"
        "&issuer=PosGuard&algorithm=SHA1&digits=6&period=30",
        None,
    ),
    (
        "longLabel",
        "otpauth://totp/PosGuard%20Shanghai%20Flagship:store-manager.zhang.wei%40retail.example.com"
        "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=PosGuard%20Shanghai&digits=6",
        None,
    ),
    ("chinese", "上海旗舰店 收银终端 POS-0042 请扫码绑定身份验证器", None),
    ("shortMaskFive", "PosGuard", 5),
]

# The text that fills a version exactly is this alphabet cycled in steps of 7 (QRCodeTests.filler does the same).
ALPHABET = "PosGuard-0123456789 abcdefghijklmnopqrstuvwxyz:/?=&%"


def filler(count):
    return "".join(ALPHABET[i * 7 % len(ALPHABET)] for i in range(count))


def build(text, level, mask):
    qr = qrcode.QRCode(version=None, error_correction=level, box_size=1, border=0, mask_pattern=mask)
    qr.add_data(util.QRData(text.encode("utf-8"), mode=util.MODE_8BIT_BYTE))
    qr.make(fit=True)
    return qr


def encode(text, level, mask=None):
    """(version, mask, rows) of `text` in byte mode; rows are strings of '#' (dark) and '.' (light).

    Without a mask, each of the eight finished symbols is scored with qrcode's own penalty function
    (util.lost_point) and the first with the lowest score is kept. qrcode's best_mask_pattern() is not used:
    it scores the symbols with the format and version information and the dark module left light, where
    ISO/IEC 18004 scores the symbol as it will be read, so now and then it picks another mask.
    """
    if mask is None:
        mask = min((util.lost_point(build(text, level, m).modules), m) for m in range(8))[1]
    qr = build(text, level, mask)
    rows = ["".join("#" if dark else "." for dark in row) for row in qr.get_matrix()]
    return qr.version, mask, rows


def byte_capacity(version, level):
    count_bits = 8 if version <= 9 else 16
    return (util.BIT_LIMIT_TABLE[level][version] - 4 - count_bits) // 8


def swift_string(text):
    assert all(ord(c) >= 0x20 for c in text)
    return json.dumps(text, ensure_ascii=False)


def main():
    out = [
        "// Written by scripts/qr-reference.py from the PyPI qrcode package; run it again rather than edit.",
        "",
        "import PosGuardDomain",
        "",
        "enum QRCodeReferences {",
        "    struct Matrix: Sendable {",
        "        let text: String",
        "        let mask: Int?",
        "        let version: Int",
        "        let chosenMask: Int",
        "        let rows: String",
        "    }",
        "",
    ]
    for name, text, mask in TEXTS:
        version, chosen, rows = encode(text, constants.ERROR_CORRECT_M, mask)
        out.append(f"    static let {name} = Matrix(")
        text_line = f"        text: {swift_string(text)},"
        if len(text_line) > 120:  # as swift format breaks it
            text_line = f"        text:\n            {swift_string(text)},"
        out.append(text_line)
        out.append(f"        mask: {'nil' if mask is None else mask}, version: {version}, chosenMask: {chosen},")
        out.append('        rows: """')
        out.extend("            " + row for row in rows)
        out.append('            """')
        out.append("    )")
        out.append("")
    out.append("    /// Level, version, length of the filler text, mask of lowest penalty, SHA-256 of the rows joined by")
    out.append("    /// newlines.")
    out.append("    static let fullVersions: [(QRCode.Correction, Int, Int, Int, String)] = [")
    for level_name, level in LEVELS:
        for version in range(1, 41):
            length = byte_capacity(version, level)
            got, chosen, rows = encode(filler(length), level)
            assert got == version, (level_name, version, got)
            if version < 40:
                assert encode(filler(length + 1), level)[0] == version + 1
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            out.append(f'        (.{level_name}, {version}, {length}, {chosen}, "{digest}"),')
    out.append("    ]")
    out.append("}")
    path = pathlib.Path(__file__).resolve().parent.parent / "Tests/PosGuardDomainTests/QRCodeReferences.swift"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
