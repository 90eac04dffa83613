#!/usr/bin/env python3
"""Writes the list of common passwords PosGuard refuses (Sources/PosGuardServices/Resources/common-passwords.txt).

The list is built from the base words and patterns that dominate published password-leak statistics,
combined with the suffixes people add to reach a length rule. Run it again after editing the words.
"""
import itertools, pathlib

words = """password passw0rd p@ssword p@ssw0rd qwerty qwertyuiop asdfghjkl zxcvbnm letmein welcome iloveyou admin
administrator monkey dragon football baseball basketball soccer hockey sunshine princess master shadow superman
batman spiderman michael jennifer jessica ashley trustno1 starwars whatever computer freedom hello charlie donald
loveme lovely secret abc123 1q2w3e4r 1qaz2wsx qazwsx zaq12wsx changeme default access login ninja mustang
summer winter spring autumn january february october november december monday friday flower cookie chocolate
internet security payment terminal cashier manager merchant posguard store shop business company welcome1
google facebook microsoft apple samsung iphone android pokemon minecraft fortnite liverpool chelsea arsenal
barcelona madrid jordan hunter ranger buster tigger thomas robert daniel matthew andrew joshua anthony william
hannah jasmine nicole amanda michelle sophie charlotte olivia emily daniel killer hannover berlin shanghai
beijing london paris newyork china germany america india russia""".split()
suffixes = ["", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "!", "1!", "123!", "@123",
            "2020", "2021", "2022", "2023", "2024", "2025", "2026", "2020!", "2021!", "2022!", "2023!", "2024!",
            "2025!", "2026!", "01", "007", "69", "99", "00", "000", "111", "666", "777", "888", "!@#", "#1"]
sequences = ["123456789012", "1234567890123", "12345678901234", "111111111111", "000000000000",
             "123123123123", "121212121212", "987654321098", "1q2w3e4r5t6y", "1qaz2wsx3edc", "qazwsxedcrfv",
             "qwertyuiop12", "qwertyuiop123", "asdfghjkl123", "zxcvbnm12345", "passwordpassword",
             "qwerty123456", "abcdefghijkl", "abcd1234abcd", "aaaaaaaaaaaa", "iloveyouiloveyou"]
out = set(s.lower() for s in sequences)
for w, s in itertools.product(words, suffixes):
    out.add((w + s).lower())
    out.add((w + w + s).lower())
path = pathlib.Path(__file__).resolve().parent.parent / "Sources/PosGuardServices/Resources/common-passwords.txt"
path.write_text("\n".join(sorted(out)) + "\n")
print(f"{len(out)} passwords written to {path}")
