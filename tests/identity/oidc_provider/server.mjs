// A maintained OpenID provider (panva's oidc-provider) for the identity tests, on loopback.
//
//   node server.mjs <port>      with ACCOUNTS_FILE=<accounts.json>
//
// It prints its issuer URL on stdout once it listens. Access tokens for the `urn:atrium:api`
// resource are JWTs with audience `atrium` (what Atrium's API accepts); they carry the account's
// `groups` only when the `groups` scope was granted, so a test can get a token without the claim.
// Accounts and their groups are read from ACCOUNTS_FILE at every lookup, so a test can take a
// group away between two tokens: {"alice": {"email": "...", "groups": ["acme-users"]}}.
// Clients: `atrium-web` (authorization code; devInteractions' login page takes any password)
// and `billing-bot` (client credentials).

import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";

import Provider from "oidc-provider";

const port = Number(process.argv[2] ?? process.env.PORT);
const accountsFile = process.env.ACCOUNTS_FILE;
if (!port || !accountsFile) {
  console.error("usage: ACCOUNTS_FILE=<accounts.json> node server.mjs <port>");
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const API = "urn:atrium:api";

function accounts() {
  return JSON.parse(readFileSync(accountsFile, "utf8"));
}

// A fresh signing key per run: tokens from an earlier run must not verify.
const signingKey = {
  ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }),
  kid: "test-rs256",
  use: "sig",
  alg: "RS256",
};

const provider = new Provider(issuer, {
  jwks: { keys: [signingKey] },
  cookies: { keys: ["atrium-test-cookie-key"] },
  clients: [
    {
      client_id: "atrium-web",
      client_secret: "atrium-web-secret",
      redirect_uris: ["http://127.0.0.1/callback"],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
    {
      client_id: "billing-bot",
      client_secret: "billing-bot-secret",
      redirect_uris: [],
      grant_types: ["client_credentials"],
      response_types: [],
    },
  ],
  claims: { openid: ["sub"], email: ["email"] },
  async findAccount(_ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, email: account.email }) };
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => API,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({
        scope: "api groups",
        audience: "atrium",
        accessTokenTTL: 600,
        accessTokenFormat: "jwt",
        jwt: { sign: { alg: "RS256" } },
      }),
    },
  },
  async extraTokenClaims(_ctx, token) {
    const scopes = new Set((token.scope ?? "").split(" "));
    if (!token.accountId || !scopes.has("groups")) return undefined;
    return { groups: accounts()[token.accountId]?.groups ?? [] };
  },
});

provider.listen(port, "127.0.0.1", () => {
  console.log(issuer);
});
