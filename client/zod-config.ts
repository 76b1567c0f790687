import { z } from 'zod';

// Zod compiles object parsers with `new Function` where it may, and probes
// for that when a schema is built: under the server's `script-src 'self'`
// the probe is reported as a CSP violation even though Zod catches it.
// Parsing without the compiled fast path costs nothing at our sizes. This
// must run before any schema is built, so `vite.config.ts` puts this module
// in the zod chunk, right after Zod itself, and `main.ts` imports it first.
z.config({ jitless: true });
