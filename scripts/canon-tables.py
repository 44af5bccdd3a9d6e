#!/usr/bin/env python3
"""Writes the versification tables that io.sparkrnn.driver.corpus.sword.Versification reads, from the SWORD library's
C headers (include/canon.h and include/canon_nrsva.h of https://www.crosswire.org/sword/, GPL-2.0; e.g. Debian's
`apt-get source sword`): per book one line `testament<TAB>OSIS name<TAB>verses of each chapter`, the numbers
copied unchanged.

Usage: scripts/canon-tables.py canon.h canon_nrsva.h driver/src/main/resources/io/sparkrnn/driver/corpus/sword
"""
import re, sys
def parse(path):
    s = open(path).read()
    s = re.sub(r'/\*.*?\*/', '', s, flags=re.S)
    s = re.sub(r'//[^\n]*', '', s)
    books = {}
    for m in re.finditer(r'struct sbook (\w+)\[\] = \{(.*?)\};', s, re.S):
        books[m.group(1)] = [(a, b, int(d)) for a, b, c, d in re.findall(r'\{"([^"]*)", "([^"]*)", "([^"]*)", (\d+)\}', m.group(2)) if int(d) > 0]
    vms = {}
    for m in re.finditer(r'int (vm\w*)\[\] = \{(.*?)\};', s, re.S):
        vms[m.group(1)] = [int(x) for x in re.findall(r'\d+', m.group(2))]
    return books, vms
def write(out, name, ot, nt, vm, source):
    assert sum(b[2] for b in ot + nt) == len(vm), (name, sum(b[2] for b in ot + nt), len(vm))
    with open(out, 'w') as f:
        f.write('# Versification %s: testament, OSIS book name, verses in each chapter (comma-separated).\n' % name)
        f.write('# Generated from %s of the SWORD library (CrossWire Bible Society, http://www.crosswire.org,\n' % source)
        f.write('# GPL-2.0) by scripts/canon-tables.py; the numbers are the SWORD tables unchanged.\n')
        i = 0
        for t, books in ((1, ot), (2, nt)):
            for full, osis, n in books:
                f.write('%d\t%s\t%s\n' % (t, osis, ','.join(str(v) for v in vm[i:i + n])))
                i += n
kjvb, kjvv = parse(sys.argv[1])
nb, nv = parse(sys.argv[2])
write(sys.argv[3] + '/kjv.tsv', 'KJV', kjvb['otbooks'], kjvb['ntbooks'], kjvv['vm'], 'include/canon.h')
write(sys.argv[3] + '/nrsva.tsv', 'NRSVA', nb['otbooks_nrsva'], kjvb['ntbooks'], nv['vm_nrsva'], 'include/canon_nrsva.h (its New Testament books from include/canon.h)')
