/** A configuration problem, said in one line: where (file or settings), what is wrong, what to do. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
