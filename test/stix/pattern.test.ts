// The STIX 2.1 pattern parser: the specification's examples parse, syntax errors carry their offset.
import { findPatternError, parsePattern, PatternSyntaxError } from '../../src/stix';

describe('when a pattern follows the STIX 2.1 patterning grammar (§9)', () => {
  it.each([
    // Examples of the STIX 2.1 specification (§9.9) and of the OASIS pattern validator.
    "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    String.raw`[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']`,
    "([ipv4-addr:value = '198.51.100.1/32'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.2/32']) WITHIN 600 SECONDS",
    "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
    "[file:name = 'foo.dll'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
    "[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    String.raw`([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) WITHIN 300 SECONDS`,
    "[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008']",
    String.raw`[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x00']`,
    "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
    "[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
    "[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
    "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
    "[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z']",
    "[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
    "[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']",
    String.raw`([file:name = 'foo.dll'] AND [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) OR [process:name = 'fooproc' OR process:name = 'procfoo']`,
    "[ipv4-addr:value NOT ISSUPERSET '10.0.0.0/8']",
    "[file:size IN (1024, 2048, 4096)]",
    "[file:name NOT IN ('test.txt', 'README')]",
    "[file:size NOT > 1024 AND file:size <= 4096 AND file:size >= 10 AND file:size < 5000 AND file:size != 7]",
    "[file:name LIKE 'name%' AND file:name <> 'x' AND file:name == 'y']",
    "[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
    "[process:is_hidden = true AND process:pid = -1 AND process:x = +3 AND process:y = -.5 AND process:z = 0.25]",
    "[process:arguments[0] = 'a' AND process:arguments[-1] = 'b']",
    "[file:created = t'2014-01-13T07:03:17.123456Z']",
    String.raw`[x-thing:'quoted key' = 'its' OR x-thing:a = 'it\'s \\ fine']`,
    "[windows-registry-key:values[*].name = 'x' AND EXISTS windows-registry-key:key]",
    "[a:b = 1] WITHIN 2.5 SECONDS",
    "( [(network-traffic:dst_port IN(443,6443,8443) AND network-traffic:src_packets != 0) ])",
    "/* a comment */ [url:value = 'http://x/'] // trailing comment",
    "[network-traffic:src_port = 37020 AND user-account:user_id = 'root'] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z' OR [ipv4-addr:value = '192.168.122.83']",
  ])('parses %s', (pattern) => {
    expect(findPatternError(pattern)).toBeUndefined();
  });
});

describe('when a pattern is invalid', () => {
  // Offsets are those the OASIS pattern validator reports for the same inputs.
  it.each<[string, number]>([
    ['file:size = 1280', 0],
    ['[file:size = ]', 13],
    ['[file:hashes.MD5 = cead3f77f6cda6ec00f57d76c9a6879f]', 19],
    ['[file.size = 1280]', 5],
    [String.raw`[file:name MATCHES /.*\\.dll/]`, 19],
    [String.raw`[win-registry-key:key = 'hkey_local_machine\\foo\\bar'] WITHIN ]`, 63],
    [String.raw`[win-registry-key:key = 'hkey_local_machine\\foo\\bar'] WITHIN 5 HOURS]`, 65],
    [String.raw`[win-registry-key:key = 'hkey_local_machine\\foo\\bar'] WITHIN -5 SECONDS]`, 63],
    ['[network-traffic:dst_ref.value ISSUBSET ]', 40],
    ["[file:hashes.MD5 =? 'cead3f77f6cda6ec00f57d76c9a6879f']", 18],
    ["[x_whatever:detected == t'2457-73-22T32:81:84.1Z']", 24],
    ["[artifact:payload_bin = b'====']", 24],
    ['[foo:bar=1] within 2 seconds', 12],
    // More syntax errors.
    ["[ipv4-addr:value = '1.2.3.4'", 28],
    ["[ipv4-addr:value = '1.2.3.4]", 19],
    ["[ipv4-addr:value = 'a\\nb']", 21],
    ["[file:hashes.SHA-256 = 'abc']", 13],
    ["[file:name = 'a'] AND", 21],
    ["[file:name = 'a'] REPEATS 2.5 TIMES", 26],
    ["[file:name = 'a'] START '2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'", 24],
    ["[file:size > true]", 13],
    ["[file:name = h'abc']", 13],
    ["[file:size = 007]", 13],
    ["[file:name IN ('a' 'b')]", 19],
    ["[file:name = 'a'] FOLLOWEDBY", 28],
    ['[]', 1],
    ['', 0],
    ["[file:name = 'a'] /* unterminated", 18],
    ["[file:name NOT EXISTS]", 15],
    ["[file:name = 'a' and file:size = 1]", 17],
  ])('rejects %s at offset %i', (pattern, offset) => {
    const error = findPatternError(pattern);
    expect(error).toBeInstanceOf(PatternSyntaxError);
    expect(error?.offset).toBe(offset);
    expect(error?.message).toContain(`offset ${offset}`);
  });

  it('throws a PatternSyntaxError from parsePattern', () => {
    expect(() => parsePattern('[a:b = ')).toThrow(PatternSyntaxError);
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    const deep = `${'('.repeat(5000)}[a:b = 1]${')'.repeat(5000)}`;
    expect(findPatternError(deep)?.message).toContain('nested too deeply');
  });
});

describe('when a pattern parses', () => {
  it('binds AND tighter than OR, and OR tighter than FOLLOWEDBY', () => {
    const ast = parsePattern('[a:x = 1] FOLLOWEDBY [a:x = 2] OR [a:x = 3] AND [a:x = 4]');
    expect(ast.kind).toBe('followedby');
    if (ast.kind !== 'followedby') return;
    expect(ast.right.kind).toBe('or');
    if (ast.right.kind !== 'or') return;
    expect(ast.right.right.kind).toBe('and');
  });

  it('applies qualifiers in order to the observation before them', () => {
    const ast = parsePattern("[a:x = 1] REPEATS 5 TIMES WITHIN 1800 SECONDS");
    expect(ast).toMatchObject({
      kind: 'qualified',
      qualifier: { kind: 'within', seconds: 1800 },
      expression: { kind: 'qualified', qualifier: { kind: 'repeats', times: 5 }, expression: { kind: 'observation' } },
    });
  });

  it('decodes object paths, quoted keys, indexes and string escapes', () => {
    const ast = parsePattern(String.raw`[file:extensions.'windows-pebinary-ext'.sections[*].name[0] = 'it\'s \\ ok']`);
    expect(ast).toEqual({
      kind: 'observation',
      comparison: {
        kind: 'test',
        operator: '=',
        negated: false,
        path: {
          objectType: 'file',
          steps: [{ key: 'extensions' }, { key: 'windows-pebinary-ext' }, { key: 'sections' }, { index: '*' }, { key: 'name' }, { index: 0 }],
        },
        value: { type: 'string', value: "it's \\ ok" },
      },
    });
  });

  it('reads literal types', () => {
    const ast = parsePattern("[a:b IN (1, -2.5, true, t'2016-06-01T00:00:00Z', h'ff00', b'AAAA', 'x')]");
    expect(ast).toMatchObject({
      comparison: {
        operator: 'IN',
        value: [
          { type: 'int', value: '1' }, { type: 'float', value: '-2.5' }, { type: 'bool', value: 'true' },
          { type: 'timestamp', value: '2016-06-01T00:00:00Z' }, { type: 'hex', value: 'ff00' }, { type: 'binary', value: 'AAAA' },
          { type: 'string', value: 'x' },
        ],
      },
    });
  });
});
