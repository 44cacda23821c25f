export default function GenrePage({ genre }: { genre: string }) {
  return <h1 data-params={[genre].join()}>GenrePage</h1>;
}
