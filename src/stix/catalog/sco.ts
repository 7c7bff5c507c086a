// The STIX Cyber-observable Objects (STIX 2.1 §6): required properties, checked ones, and rules.
import { anyOf, notBoth, requires, sco, timeOrder, type Rule, type TypeSpec } from './common';
import { optional, required } from './property';

/** STIX 2.1 §6.6: body_multipart only on multipart messages, body only on the others. */
const emailBody: Rule = (obj) => {
  if (obj.is_multipart === true && obj.body !== undefined) {
    return { reason: 'INVALID_PROPERTY', message: 'email-message.body must not be present when is_multipart is true' };
  }
  if (obj.is_multipart === false && obj.body_multipart !== undefined) {
    return { reason: 'INVALID_PROPERTY', message: 'email-message.body_multipart must not be present when is_multipart is false' };
  }
  return undefined;
};

const value = required('value', 'string');
const port = (name: string) => optional(name, 'integer', { min: 0, max: 65535 });

export const SCO_SPECS: readonly TypeSpec[] = [
  // STIX 2.1 §6.1: payload_bin or url (with hashes), not both.
  sco('artifact', [optional('mime_type', 'string'), optional('payload_bin', 'string'), optional('url', 'string'), optional('hashes', 'dictionary')], [
    notBoth('payload_bin', 'url'),
    requires('url', 'hashes'),
  ]),
  sco('autonomous-system', [required('number', 'integer', { min: 0 }), optional('name', 'string'), optional('rir', 'string')]),
  sco('directory', [required('path', 'string'), optional('contains_refs', 'identifiers')]),
  sco('domain-name', [value, optional('resolves_to_refs', 'identifiers')]),
  sco('email-addr', [value, optional('display_name', 'string'), optional('belongs_to_ref', 'identifier', { refTypes: ['user-account'] })]),
  sco(
    'email-message',
    [
      required('is_multipart', 'boolean'),
      optional('date', 'timestamp'),
      optional('from_ref', 'identifier', { refTypes: ['email-addr'] }),
      optional('sender_ref', 'identifier', { refTypes: ['email-addr'] }),
      optional('to_refs', 'identifiers', { refTypes: ['email-addr'] }),
      optional('cc_refs', 'identifiers', { refTypes: ['email-addr'] }),
      optional('bcc_refs', 'identifiers', { refTypes: ['email-addr'] }),
      optional('subject', 'string'),
      optional('body', 'string'),
      optional('body_multipart', 'objects'),
    ],
    [emailBody],
  ),
  // STIX 2.1 §6.7: a file has hashes or a name.
  sco(
    'file',
    [
      optional('hashes', 'dictionary'),
      optional('size', 'integer', { min: 0 }),
      optional('name', 'string'),
      optional('ctime', 'timestamp'),
      optional('mtime', 'timestamp'),
      optional('atime', 'timestamp'),
      optional('parent_directory_ref', 'identifier', { refTypes: ['directory'] }),
      optional('contains_refs', 'identifiers'),
      optional('content_ref', 'identifier', { refTypes: ['artifact'] }),
    ],
    [anyOf('hashes', 'name')],
  ),
  sco('ipv4-addr', [value, optional('resolves_to_refs', 'identifiers'), optional('belongs_to_refs', 'identifiers')]),
  sco('ipv6-addr', [value, optional('resolves_to_refs', 'identifiers'), optional('belongs_to_refs', 'identifiers')]),
  sco('mac-addr', [value]),
  sco('mutex', [required('name', 'string')]),
  // STIX 2.1 §6.12: protocols, and a source or a destination.
  sco(
    'network-traffic',
    [
      required('protocols', 'strings', { nonEmpty: true }),
      optional('start', 'timestamp'),
      optional('end', 'timestamp'),
      optional('is_active', 'boolean'),
      optional('src_ref', 'identifier'),
      optional('dst_ref', 'identifier'),
      port('src_port'),
      port('dst_port'),
    ],
    [anyOf('src_ref', 'dst_ref'), timeOrder('start', 'end')],
  ),
  sco('process', [optional('pid', 'integer'), optional('created_time', 'timestamp'), optional('command_line', 'string'), optional('child_refs', 'identifiers')]),
  sco('software', [required('name', 'string'), optional('cpe', 'string'), optional('languages', 'strings'), optional('vendor', 'string'), optional('version', 'string')]),
  sco('url', [value]),
  sco('user-account', [
    optional('user_id', 'string'),
    optional('account_login', 'string'),
    optional('account_created', 'timestamp'),
    optional('account_expires', 'timestamp'),
    optional('credential_last_changed', 'timestamp'),
    optional('account_first_login', 'timestamp'),
    optional('account_last_login', 'timestamp'),
  ]),
  sco('windows-registry-key', [optional('key', 'string'), optional('values', 'objects'), optional('modified_time', 'timestamp')]),
  sco('x509-certificate', [
    optional('is_self_signed', 'boolean'),
    optional('hashes', 'dictionary'),
    optional('serial_number', 'string'),
    optional('validity_not_before', 'timestamp'),
    optional('validity_not_after', 'timestamp'),
  ]),
];
