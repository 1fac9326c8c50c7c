/** One colour per channel, the same in every chart (and what the screenshot test looks for). */
export const CHANNEL_COLORS: Readonly<Record<string, string>> = {
  relay: '#1f77b4',
  mqtt: '#2ca02c',
  email: '#9467bd',
  dir: '#ff7f0e',
  bundle: '#8c564b',
};
export const OTHER_COLOR = '#17becf';
export const FAULT_COLOR = '#d62728';

export const colorOf = (channel: string): string => CHANNEL_COLORS[channel] ?? OTHER_COLOR;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
