export default function PlaylistPage({ id }: { id: string }) {
  return <h1 data-params={[id].join()}>PlaylistPage</h1>;
}
