#!/usr/bin/env python3
"""Writes the bad-input corpus (src/test/resources/bad-input): broken _stat and _info files, each
derived from the real HAProxy 2.6 capture haproxy1 of fixtures/small, and cases.tsv: file name,
then a fragment the processor's error message must contain (it also names the file and line).
Run from haproxystats-process/: python3 src/test/python/bad_input_corpus.py"""
import os

base = 'src/test/resources/fixtures/small/1795224218/'
out = 'src/test/resources/bad-input/'
stat = open(base + 'haproxy1.sock_stat', encoding='utf-8').read()
info = open(base + 'haproxy1.sock_info', encoding='utf-8').read()
lines = stat.split('\n')
header = lines[0]
cols = header[2:].split(',')
rows = [l for l in lines[1:] if l]


def set_field(row, name, value):
    f = row.split(',')
    f[cols.index(name)] = value
    return ','.join(f)


def with_row(i, row):
    r = list(rows)
    r[i] = row
    return header + '\n' + '\n'.join(r) + '\n\n'


cases = []


def case(name, content, expect):
    data = content if isinstance(content, bytes) else content.encode('utf-8')
    open(out + name, 'wb').write(data)
    cases.append((name, expect))


os.makedirs(out, exist_ok=True)
case('01-html-error-page_stat', '<html><body><h1>503 Service Unavailable</h1></body></html>\n',
     "line 1: not a 'show stat' answer")
case('02-rows-without-header_stat', '\n'.join(rows) + '\n\n', "line 1: not a 'show stat' answer")
case('03-header-without-svname_stat', '# pxname,scur,stot,\nfe,1,2,\n\n', 'line 1: header lacks pxname or svname')
case('04-non-numeric-scur_stat', with_row(0, set_field(rows[0], 'scur', 'abc')),
     "line 2: field scur: expected an integer, got 'abc'")
case('05-decimal-in-integer-field_stat', with_row(1, set_field(rows[1], 'stot', '1.5')),
     "line 3: field stot: expected an integer, got '1.5'")
case('06-binary-garbage_stat', bytes(range(256)) * 4, 'binary data (NUL byte)')
case('07-truncated-last-row_stat', header + '\n' + '\n'.join(rows[:-1]) + '\n' + rows[-1][:25],
     'line %d: ' % (len(rows) + 1))
case('08-unterminated-quote_stat', with_row(2, '"' + rows[2]), 'line 4: unterminated quoted field')
case('09-text-after-closing-quote_stat', with_row(2, '"fe"x' + rows[2][rows[2].index(','):]),
     'line 4: text after a closing quote')
case('10-number-overflow_stat', with_row(0, set_field(rows[0], 'bin', '99999999999999999999999')),
     "line 2: field bin: expected an integer, got '99999999999999999999999'")
case('11-utf16-encoded_stat', stat.encode('utf-16'), 'binary data (NUL byte)')
case('12-header-without-hash_stat', header[2:] + '\n' + '\n'.join(rows) + '\n\n',
     "line 1: not a 'show stat' answer")
case('13-lone-minus_stat', with_row(3, set_field(rows[3], 'stot', '-')),
     "line 5: field stot: expected an integer, got '-'")
case('14-hex-number_stat', with_row(0, set_field(rows[0], 'scur', '0x10')),
     "line 2: field scur: expected an integer, got '0x10'")
case('15-space-inside-number_stat', with_row(0, set_field(rows[0], 'scur', '1 2')),
     "line 2: field scur: expected an integer, got '1 2'")
case('16-two-answers-concatenated_stat', stat.rstrip('\n') + '\n' + stat,
     'line %d: field ' % (len(rows) + 2))
case('17-row-with-extra-fields_stat', with_row(1, rows[1] + 'x,y,'),
     'line 3: %d fields, the header has %d' % (len(cols) + 1, len(cols) - 1))
case('18-row-cut-in-the-middle_stat', with_row(4, ','.join(rows[4].split(',')[:20])),
     'line 6: 20 fields, the header has %d (truncated row?)' % (len(cols) - 1))
case('19-info-html_info', '<html><body>403 Forbidden</body></html>\n',
     "line 1: not a 'show info' answer: expected it to start with 'Name: ', got '<html><body>403 Forbidden</body></html>'")
case('20-info-binary_info', b'\x00\x01\x02garbage\n', "line 1: binary data (NUL byte) in a 'show info' answer")
case('21-info-holds-a-stat-answer_info', stat, "line 1: not a 'show info' answer")
case('22-info-unknown-command_info',
     'Unknown command, but maybe one of the following ones is a better match:\n'
     '  show cli level                          : display the level of the current CLI session\n\n',
     "not a 'show info' answer: expected it to start with 'Name: ', got 'Unknown command, but maybe one")
case('23-info-nul-inside_info', info.replace('Uptime_sec:', 'Uptime\x00sec:'), "binary data (NUL byte)")
case('24-permission-denied_stat', 'Permission denied\n\n', "line 1: not a 'show stat' answer")

with open(out + 'cases.tsv', 'w', encoding='utf-8') as f:
    f.write('# file\texpected fragment of the error message (after "<file> ")\n')
    for name, expect in cases:
        f.write(name + '\t' + expect + '\n')
print(len(cases), 'cases written to', out)
