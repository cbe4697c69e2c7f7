/**
 * The region an SDK client ended up with. A client made without one resolves it from the SDK's
 * default chain (AWS_REGION, then the profile's `region` in ~/.aws/config); when there is none,
 * every call fails with "Region is missing", which says nothing of where a region comes from. The
 * CLI asks first and says so itself.
 */

/** A client's resolved region, or undefined when the default chain has none. */
export async function clientRegion(client: { config: { region: () => Promise<string> } }): Promise<string | undefined> {
  try {
    const region = await client.config.region();
    return region || undefined;
  } catch {
    return undefined;
  }
}
