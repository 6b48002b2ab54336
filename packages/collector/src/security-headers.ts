/**
 * Headers on every HTML answer. The dashboard loads only its own script, stylesheet and the
 * charting library from this origin and talks only to this origin, so the policy can be strict:
 * no inline script (an injected string cannot run), no framing (no clickjacking of the key form),
 * no referrer (no URL leaves with a click).
 */
export const HTML_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** On every answer, HTML or not: no MIME sniffing of JSON or text into something executable. */
export const COMMON_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
