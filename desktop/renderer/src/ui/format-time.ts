/** A runner timestamp in the user's locale, or a dash when there is none. */
export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
