/** `npm start`: run the service with settings from the environment. */
import { serve } from './server.ts';

await serve();
