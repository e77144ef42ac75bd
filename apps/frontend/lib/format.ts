// French formatting for figures and dates; the user's own time zone.

const dateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'short' });
const hourFormat = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit' });

/** 0.99953 -> "99,95 %": two decimals, because the objective itself is 99,9 %. */
export function percent(ratio: number | null, digits = 2): string {
  if (ratio === null) return 'pas de données';
  // Rounded down (with a hair of slack for binary floats): 99,949 % must not read as 99,95 %.
  return `${(Math.floor(ratio * 10 ** (digits + 2) + 1e-6) / 10 ** digits).toLocaleString('fr-FR', { minimumFractionDigits: digits, maximumFractionDigits: digits })} %`;
}

export function milliseconds(seconds: number | null): string {
  if (seconds === null) return 'pas de données';
  return `${Math.round(seconds * 1000).toLocaleString('fr-FR')} ms`;
}

export const formatDateTime = (iso: string) => dateTime.format(new Date(iso));
export const formatDay = (iso: string) => dayFormat.format(new Date(iso));
export const formatHour = (iso: string) => hourFormat.format(new Date(iso));

/** "2 h 05 min", for how long an incident lasted. */
export function duration(fromIso: string, toIso: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}
