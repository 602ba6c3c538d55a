// Edge Function entry: serves the handler (kept separate so tests call it in-process).
import handler from "./handler.ts";

Deno.serve(handler);
