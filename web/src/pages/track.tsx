export default function TrackPage({ id }: { id: string }) {
  return <h1 data-params={[id].join()}>TrackPage</h1>;
}
