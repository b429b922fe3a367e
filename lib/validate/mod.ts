/**
 * The validate stage.
 *
 * @module
 */
export { validate, validateAdapterModule, ValidateStream, ValidationError } from "./validate.ts";
