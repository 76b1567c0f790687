/** The media query of a touch screen without a pointer that hovers (the one `styles/responsive.css` uses). */
const TOUCH_SCREEN_QUERY = '(hover: none) and (pointer: coarse)';

/**
 * Whether this is a touch screen (a phone, a tablet): no Ctrl key to speak
 * of, so text that names a keyboard shortcut should not be shown there
 * (issue 14, item 8). Read once, when the text is made.
 */
export function isTouchScreen(): boolean {
  return window.matchMedia(TOUCH_SCREEN_QUERY).matches;
}
