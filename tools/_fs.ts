/**
 * Small file-system helpers shared by the tools.
 *
 * @module
 */

/**
 * Whether a path exists.
 * @param url The path.
 * @returns `true` when `Deno.stat` finds it.
 */
export async function exists(url: URL): Promise<boolean> {
  try {
    await Deno.stat(url);
    return true;
  } catch {
    return false;
  }
}
