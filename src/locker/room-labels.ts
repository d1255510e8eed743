/**
 * Shelf labels of a package room. A label's text is the shelf id, either plain (`R-A`, what a
 * hand-written or quickly printed label says) or prefixed (`LKS1/R-A`, for printed barcodes: the
 * prefix can never be read as a tracking number or a pickup QR). Pure.
 */
export const SHELF_LABEL_PREFIX = 'LKS1/';

export interface ShelfLabel {
  shelf: string;
  prefixed: boolean;
}

/**
 * The shelf a scanned text names, or null when it is not a shelf label of this room. A prefixed
 * label naming no shelf of `shelves` is still a shelf label (`known: false`): the kiosk says
 * "no such shelf" rather than "not a parcel".
 */
export function parseShelfLabel(text: string, shelves: readonly string[]): (ShelfLabel & { known: boolean }) | null {
  const trimmed = text.trim();
  if (trimmed.startsWith(SHELF_LABEL_PREFIX)) {
    const shelf = trimmed.slice(SHELF_LABEL_PREFIX.length);
    return { shelf, prefixed: true, known: shelves.includes(shelf) };
  }
  return shelves.includes(trimmed) ? { shelf: trimmed, prefixed: false, known: true } : null;
}
