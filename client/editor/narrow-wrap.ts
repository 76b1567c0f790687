/**
 * Windows at most this wide (px) are phone-narrow: long lines wrap there by
 * default (editor setting `wrap: auto`), as scrolling sideways on a phone
 * loses the code's shape.
 */
export const NARROW_MAX_WIDTH = 640;
