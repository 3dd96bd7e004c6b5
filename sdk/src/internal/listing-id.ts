const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `ref` is a listing id (a UUID) rather than a slug or service name. */
export function isListingId(ref: string): boolean {
  return UUID.test(ref);
}
