import { h } from './dom.ts';

/** How long a toast stays, in ms. */
const TOAST_MS = 3500;
/** Most toasts on screen; older ones go first. */
const MAX_TOASTS = 4;

/** Announces a short message in the corner (and to screen readers, via the live region). */
export function showToast(message: string, tone: 'info' | 'join' | 'leave' | 'error' = 'info'): void {
  const region = document.getElementById('toasts');
  if (!region) return;
  const toast = h('div', { class: `toast toast-${tone}` }, message);
  region.append(toast);
  while (region.childElementCount > MAX_TOASTS) region.firstElementChild?.remove();
  setTimeout(() => {
    toast.classList.add('toast-leaving');
    setTimeout(() => toast.remove(), 300);
  }, TOAST_MS);
}
