/** Preloaded into bench processes (node --require): reports the process's peak RSS on stderr as it exits. */
import * as fs from 'node:fs';

process.on('exit', () => {
  try {
    fs.writeSync(2, `\nitl-lens-bench-maxrss ${process.resourceUsage().maxRSS}\n`);
  } catch {
    /* stderr closed */
  }
});
