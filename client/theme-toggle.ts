import { h, replaceChildren } from './dom.ts';
import { icon } from './icons.ts';
import type { ThemeController } from './theme.ts';

/** The light/dark toggle button in the header. */
export function createThemeToggle(theme: ThemeController): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'button theme-toggle' });
  const render = () => {
    const next = theme.current === 'dark' ? 'light' : 'dark';
    replaceChildren(button, icon(theme.current === 'dark' ? 'sun' : 'moon'));
    button.title = `Switch to the ${next} theme`;
    button.setAttribute('aria-label', `Switch to the ${next} theme`);
  };
  button.addEventListener('click', () => theme.toggle());
  theme.subscribe(render);
  render();
  return button;
}
