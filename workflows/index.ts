/** Every workflow type the worker registers. */
export { repair } from './repair';
