/**
 * Tagged template for request paths: each interpolated value is percent-encoded as one segment,
 * and empty, `.` or `..` segments are refused so an id can never walk the path.
 */
export function path(strings: TemplateStringsArray, ...values: readonly (string | number)[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    const segment = String(value);
    if (segment === '' || segment === '.' || segment === '..') {
      throw new TypeError(`Invalid path parameter: ${JSON.stringify(segment)}`);
    }
    out += encodeURIComponent(segment) + (strings[i + 1] ?? '');
  });
  return out;
}
