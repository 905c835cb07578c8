// Starts GraphiQL (the UMD bundles loaded before this module) with the signed-in key: in the
// header editor, and in the fetcher itself, so that the very first request (the schema's
// introspection) already carries it.
import { authorizationHeader, mountSignIn } from '/assets/sign-in.js';

const config = JSON.parse(document.getElementById('uplift-graphiql-config').textContent);
const authorization = authorizationHeader();
const headers = JSON.stringify({ Authorization: authorization ?? 'Bearer <your API key>' }, null, 2);

mountSignIn(document.getElementById('uplift-sign-in'), { onChange: () => window.location.reload() });

const fetcher = GraphiQL.createFetcher({ url: config.endpoint, headers: authorization ? { Authorization: authorization } : {} });
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    headers,
    defaultHeaders: headers,
    defaultTabs: config.tabs,
    shouldPersistHeaders: false,
  }),
);
