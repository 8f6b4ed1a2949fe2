// The version lives in package.json only; the release build reads it there too.
import packageJson from '../package.json' with { type: 'json' };

export const VERSION: string = packageJson.version;
