/**
 * Bytes: the reader, the writer, the parse error and the decoder's limits.
 *
 * @module
 */
export { ParseError } from "./errors.ts";
export { END_OF_FILE, END_OF_SECTION, Reader } from "./reader.ts";
export { ByteWriter } from "./writer.ts";
