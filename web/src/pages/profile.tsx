export default function ProfilePage({ handle }: { handle: string }) {
  return <h1 data-params={[handle].join()}>ProfilePage</h1>;
}
