/** One object a channel delivers, and where it goes below the channel directory (`/`-separated). */
export interface ChannelObject {
  bucket: string;
  key: string;
  size: number;
  relativePath: string;
}
