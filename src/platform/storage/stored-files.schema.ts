/** Wire shapes of stored documents (docs/storage.md): a file's metadata, a page of them, its bytes. */
import { z } from 'zod';

/** A stored document's metadata. */
export const storedFileResponse = z.object({
  file_id: z.uuid(),
  kind: z.string(),
  name: z.string(),
  content_type: z.string(),
  size: z.number().int(),
  sha256: z.string().meta({ description: 'hex SHA-256 of the bytes' }),
  storage: z.enum(['db', 's3']),
  ref_type: z.string().nullable(),
  ref_id: z.uuid().nullable().meta({ description: 'what the file belongs to (a batch, a budget)' }),
  created_at: z.string(),
  created_by: z.string(),
});
export const storedFileListResponse = z.object({
  items: z.array(storedFileResponse),
  next_cursor: z.string().nullable(),
});
