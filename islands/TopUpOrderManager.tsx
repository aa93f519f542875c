/** Every online top-up order, for administrators: search by trade number, mark a pending one paid. */
import { TopUpOrders } from "../components/TopUpOrders.tsx";

export default function TopUpOrderManager() {
  return (
    <div class="manager">
      <TopUpOrders admin />
    </div>
  );
}
