// Edge Function entry: serves the handler (kept separate so tests call it in-process).
import handler from "./handler.ts";
import { config } from "../_shared/config.ts";

config(); // a bad setting stops the function here, naming the variable

Deno.serve(handler);
