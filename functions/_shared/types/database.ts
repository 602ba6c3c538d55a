
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "api_credentials": {
                  Row: {
                    "account_mode": Json | null,"api_key_ct": string | null,"created_at": string,"deleted_at": string | null,"exchange": Database["public"]['Enums']["exchange_id"],"id": string,"is_active": boolean,"key_hint": string | null,"kid": string | null,"label": string | null,"last_sync_at": string | null,"last_sync_status": string | null,"passphrase_ct": string | null,"permissions": Json | null,"secret_key_ct": string | null,"sync_symbols": (string)[],"updated_at": string,"user_id": string,"verification_status": string,"verified_at": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "account_mode"?: Json | null,"api_key_ct"?: string | null,"created_at"?: string,"deleted_at"?: string | null,"exchange": Database["public"]['Enums']["exchange_id"],"id"?: string,"is_active"?: boolean,"key_hint"?: string | null,"kid"?: string | null,"label"?: string | null,"last_sync_at"?: string | null,"last_sync_status"?: string | null,"passphrase_ct"?: string | null,"permissions"?: Json | null,"secret_key_ct"?: string | null,"sync_symbols"?: (string)[],"updated_at"?: string,"user_id": string,"verification_status"?: string,"verified_at"?: string | null
                  }
                  Update: {
                    "account_mode"?: Json | null,"api_key_ct"?: string | null,"created_at"?: string,"deleted_at"?: string | null,"exchange"?: Database["public"]['Enums']["exchange_id"],"id"?: string,"is_active"?: boolean,"key_hint"?: string | null,"kid"?: string | null,"label"?: string | null,"last_sync_at"?: string | null,"last_sync_status"?: string | null,"passphrase_ct"?: string | null,"permissions"?: Json | null,"secret_key_ct"?: string | null,"sync_symbols"?: (string)[],"updated_at"?: string,"user_id"?: string,"verification_status"?: string,"verified_at"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"audit_logs": {
                  Row: {
                    "action": string,"actor_id": string | null,"actor_role": string | null,"created_at": string,"id": number,"ip_address": unknown,"new_values": Json | null,"old_values": Json | null,"record_id": string,"table_name": string,"user_agent": string | null,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "action": string,"actor_id"?: string | null,"actor_role"?: string | null,"created_at"?: string,"id"?: number,"ip_address"?: unknown,"new_values"?: Json | null,"old_values"?: Json | null,"record_id": string,"table_name": string,"user_agent"?: string | null,"user_id": string
                  }
                  Update: {
                    "action"?: string,"actor_id"?: string | null,"actor_role"?: string | null,"created_at"?: string,"id"?: number,"ip_address"?: unknown,"new_values"?: Json | null,"old_values"?: Json | null,"record_id"?: string,"table_name"?: string,"user_agent"?: string | null,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"balances": {
                  Row: {
                    "account_type": string,"as_of": string,"asset": string,"created_at": string,"credential_id": string | null,"exchange": Database["public"]['Enums']["exchange_id"],"free": number,"id": number,"locked": number,"total": number,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "account_type": string,"as_of": string,"asset": string,"created_at"?: string,"credential_id"?: string | null,"exchange": Database["public"]['Enums']["exchange_id"],"free"?: number,"id"?: number,"locked"?: number,"total"?: number,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "account_type"?: string,"as_of"?: string,"asset"?: string,"created_at"?: string,"credential_id"?: string | null,"exchange"?: Database["public"]['Enums']["exchange_id"],"free"?: number,"id"?: number,"locked"?: number,"total"?: number,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "balances_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "balances_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials_masked"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"exchange_positions": {
                  Row: {
                    "amount": number,"as_of": string,"created_at": string,"credential_id": string | null,"entry_price": number | null,"exchange": Database["public"]['Enums']["exchange_id"],"id": number,"leverage": number | null,"liquidation_price": number | null,"margin_mode": string | null,"mark_price": number | null,"market_type": Database["public"]['Enums']["market_type"],"side": string,"symbol": string,"unrealized_pnl": number | null,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "amount": number,"as_of": string,"created_at"?: string,"credential_id"?: string | null,"entry_price"?: number | null,"exchange": Database["public"]['Enums']["exchange_id"],"id"?: number,"leverage"?: number | null,"liquidation_price"?: number | null,"margin_mode"?: string | null,"mark_price"?: number | null,"market_type"?: Database["public"]['Enums']["market_type"],"side": string,"symbol": string,"unrealized_pnl"?: number | null,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "amount"?: number,"as_of"?: string,"created_at"?: string,"credential_id"?: string | null,"entry_price"?: number | null,"exchange"?: Database["public"]['Enums']["exchange_id"],"id"?: number,"leverage"?: number | null,"liquidation_price"?: number | null,"margin_mode"?: string | null,"mark_price"?: number | null,"market_type"?: Database["public"]['Enums']["market_type"],"side"?: string,"symbol"?: string,"unrealized_pnl"?: number | null,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "exchange_positions_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "exchange_positions_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials_masked"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"executions": {
                  Row: {
                    "executed_entry_price": number | null,"execution_duration": string | null,"id": number,"order_id": string | null,"run_id": number,"status": string,"trade_end_time": string | null,"trade_id": number,"trade_start_time": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "executed_entry_price"?: number | null,"execution_duration"?: string | null,"id"?: number,"order_id"?: string | null,"run_id": number,"status": string,"trade_end_time"?: string | null,"trade_id": number,"trade_start_time"?: string | null
                  }
                  Update: {
                    "executed_entry_price"?: number | null,"execution_duration"?: string | null,"id"?: number,"order_id"?: string | null,"run_id"?: number,"status"?: string,"trade_end_time"?: string | null,"trade_id"?: number,"trade_start_time"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "executions_run_id_fkey"
      columns: ["run_id"]
isOneToOne: false
      referencedRelation: "pipeline_runs"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "executions_trade_id_fkey"
      columns: ["trade_id"]
isOneToOne: false
      referencedRelation: "trades"
      referencedColumns: ["id"]
    }
                  ]
                },"fees_tracking": {
                  Row: {
                    "created_at": string,"exchange": Database["public"]['Enums']["exchange_id"],"fee_amount": number,"fee_currency": string,"fee_timestamp": string,"fee_type": string,"fill_id": number | null,"id": number,"market_type": Database["public"]['Enums']["market_type"] | null,"order_id": string | null,"order_ref": number | null,"related_order_id": string | null,"source_key": string,"symbol": string | null,"transaction_type": string,"user_id": string,"user_id_without_fill": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"exchange": Database["public"]['Enums']["exchange_id"],"fee_amount": number,"fee_currency": string,"fee_timestamp": string,"fee_type": string,"fill_id"?: number | null,"id"?: number,"market_type"?: Database["public"]['Enums']["market_type"] | null,"order_id"?: string | null,"order_ref"?: number | null,"related_order_id"?: string | null,"source_key": string,"symbol"?: string | null,"transaction_type": string,"user_id": string,"user_id_without_fill"?: never
                  }
                  Update: {
                    "created_at"?: string,"exchange"?: Database["public"]['Enums']["exchange_id"],"fee_amount"?: number,"fee_currency"?: string,"fee_timestamp"?: string,"fee_type"?: string,"fill_id"?: number | null,"id"?: number,"market_type"?: Database["public"]['Enums']["market_type"] | null,"order_id"?: string | null,"order_ref"?: number | null,"related_order_id"?: string | null,"source_key"?: string,"symbol"?: string | null,"transaction_type"?: string,"user_id"?: string,"user_id_without_fill"?: never
                  }
                  Relationships: [
                    {
      foreignKeyName: "fees_tracking_fill_fkey"
      columns: ["user_id","fill_id"]
isOneToOne: false
      referencedRelation: "fills"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "fees_tracking_order_fkey"
      columns: ["user_id","order_ref"]
isOneToOne: false
      referencedRelation: "orders"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"fills": {
                  Row: {
                    "amount": number,"base": string,"cost": number,"created_at": string,"credential_id": string | null,"exchange": Database["public"]['Enums']["exchange_id"],"exchange_realized_pnl": number | null,"executed_at": string,"fees": NonNullable<Json>,"fingerprint": string | null,"id": number,"is_liquidation": boolean,"market_type": Database["public"]['Enums']["market_type"],"order_id": string | null,"price": number,"quote": string,"side": string,"source": string,"symbol": string,"taker_or_maker": string | null,"trade_id": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "amount": number,"base": string,"cost": number,"created_at"?: string,"credential_id"?: string | null,"exchange": Database["public"]['Enums']["exchange_id"],"exchange_realized_pnl"?: number | null,"executed_at": string,"fees"?: NonNullable<Json>,"fingerprint"?: string | null,"id"?: number,"is_liquidation"?: boolean,"market_type": Database["public"]['Enums']["market_type"],"order_id"?: string | null,"price": number,"quote": string,"side": string,"source"?: string,"symbol": string,"taker_or_maker"?: string | null,"trade_id": string,"user_id": string
                  }
                  Update: {
                    "amount"?: number,"base"?: string,"cost"?: number,"created_at"?: string,"credential_id"?: string | null,"exchange"?: Database["public"]['Enums']["exchange_id"],"exchange_realized_pnl"?: number | null,"executed_at"?: string,"fees"?: NonNullable<Json>,"fingerprint"?: string | null,"id"?: number,"is_liquidation"?: boolean,"market_type"?: Database["public"]['Enums']["market_type"],"order_id"?: string | null,"price"?: number,"quote"?: string,"side"?: string,"source"?: string,"symbol"?: string,"taker_or_maker"?: string | null,"trade_id"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "fills_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "fills_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials_masked"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"fredindicators": {
                  Row: {
                    "created_at": string,"id": number,"name": string,"observation_date": string,"value": number
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"id"?: number,"name": string,"observation_date": string,"value": number
                  }
                  Update: {
                    "created_at"?: string,"id"?: number,"name"?: string,"observation_date"?: string,"value"?: number
                  }
                  Relationships: [
                    
                  ]
                },"fund_flow_analysis": {
                  Row: {
                    "created_at": string,"id": number,"inflow": number | null,"market_type_id": number,"net_inflow": number | null,"order_size": string,"outflow": number | null,"period_start": string | null,"symbol_id": number,"timeframe_id": number
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"id"?: number,"inflow"?: number | null,"market_type_id": number,"net_inflow"?: number | null,"order_size": string,"outflow"?: number | null,"period_start"?: string | null,"symbol_id": number,"timeframe_id": number
                  }
                  Update: {
                    "created_at"?: string,"id"?: number,"inflow"?: number | null,"market_type_id"?: number,"net_inflow"?: number | null,"order_size"?: string,"outflow"?: number | null,"period_start"?: string | null,"symbol_id"?: number,"timeframe_id"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "fund_flow_analysis_market_type_id_fkey"
      columns: ["market_type_id"]
isOneToOne: false
      referencedRelation: "market_types"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "fund_flow_analysis_symbol_id_fkey"
      columns: ["symbol_id"]
isOneToOne: false
      referencedRelation: "symbols"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "fund_flow_analysis_timeframe_id_fkey"
      columns: ["timeframe_id"]
isOneToOne: false
      referencedRelation: "timeframes"
      referencedColumns: ["id"]
    }
                  ]
                },"fund_flow_historical": {
                  Row: {
                    "created_at": string,"date_time": string,"id": number,"market_type_id": number,"net_inflow": number | null,"symbol_id": number,"timeframe_id": number
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"date_time": string,"id"?: number,"market_type_id": number,"net_inflow"?: number | null,"symbol_id": number,"timeframe_id": number
                  }
                  Update: {
                    "created_at"?: string,"date_time"?: string,"id"?: number,"market_type_id"?: number,"net_inflow"?: number | null,"symbol_id"?: number,"timeframe_id"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "fund_flow_historical_market_type_id_fkey"
      columns: ["market_type_id"]
isOneToOne: false
      referencedRelation: "market_types"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "fund_flow_historical_symbol_id_fkey"
      columns: ["symbol_id"]
isOneToOne: false
      referencedRelation: "symbols"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "fund_flow_historical_timeframe_id_fkey"
      columns: ["timeframe_id"]
isOneToOne: false
      referencedRelation: "timeframes"
      referencedColumns: ["id"]
    }
                  ]
                },"funding_payments": {
                  Row: {
                    "amount": number,"created_at": string,"credential_id": string | null,"currency": string,"exchange": Database["public"]['Enums']["exchange_id"],"funding_id": string,"id": number,"market_type": Database["public"]['Enums']["market_type"],"occurred_at": string,"symbol": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "amount": number,"created_at"?: string,"credential_id"?: string | null,"currency": string,"exchange": Database["public"]['Enums']["exchange_id"],"funding_id": string,"id"?: number,"market_type"?: Database["public"]['Enums']["market_type"],"occurred_at": string,"symbol": string,"user_id": string
                  }
                  Update: {
                    "amount"?: number,"created_at"?: string,"credential_id"?: string | null,"currency"?: string,"exchange"?: Database["public"]['Enums']["exchange_id"],"funding_id"?: string,"id"?: number,"market_type"?: Database["public"]['Enums']["market_type"],"occurred_at"?: string,"symbol"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "funding_payments_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "funding_payments_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials_masked"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"gio_open_interest": {
                  Row: {
                    "change_24h": number | null,"exchange": string,"id": number,"last_updated": string,"open_interest": number,"symbol_id": number
                  }
                  ComputedFields: never
                  Insert: {
                    "change_24h"?: number | null,"exchange": string,"id"?: number,"last_updated": string,"open_interest": number,"symbol_id": number
                  }
                  Update: {
                    "change_24h"?: number | null,"exchange"?: string,"id"?: number,"last_updated"?: string,"open_interest"?: number,"symbol_id"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "gio_open_interest_symbol_id_fkey"
      columns: ["symbol_id"]
isOneToOne: false
      referencedRelation: "symbols"
      referencedColumns: ["id"]
    }
                  ]
                },"long_short_exchanges": {
                  Row: {
                    "bias": string,"exchange": string,"id": number,"last_updated": string,"long_percent": number,"short_percent": number,"symbol_id": number,"timeframe_id": number
                  }
                  ComputedFields: never
                  Insert: {
                    "bias": string,"exchange": string,"id"?: number,"last_updated": string,"long_percent": number,"short_percent": number,"symbol_id": number,"timeframe_id": number
                  }
                  Update: {
                    "bias"?: string,"exchange"?: string,"id"?: number,"last_updated"?: string,"long_percent"?: number,"short_percent"?: number,"symbol_id"?: number,"timeframe_id"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "long_short_exchanges_symbol_id_fkey"
      columns: ["symbol_id"]
isOneToOne: false
      referencedRelation: "symbols"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "long_short_exchanges_timeframe_id_fkey"
      columns: ["timeframe_id"]
isOneToOne: false
      referencedRelation: "timeframes"
      referencedColumns: ["id"]
    }
                  ]
                },"long_short_overall": {
                  Row: {
                    "id": number,"last_updated": string,"long_percent": number,"short_percent": number,"symbol_id": number,"timeframe_id": number
                  }
                  ComputedFields: never
                  Insert: {
                    "id"?: number,"last_updated": string,"long_percent": number,"short_percent": number,"symbol_id": number,"timeframe_id": number
                  }
                  Update: {
                    "id"?: number,"last_updated"?: string,"long_percent"?: number,"short_percent"?: number,"symbol_id"?: number,"timeframe_id"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "long_short_overall_symbol_id_fkey"
      columns: ["symbol_id"]
isOneToOne: false
      referencedRelation: "symbols"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "long_short_overall_timeframe_id_fkey"
      columns: ["timeframe_id"]
isOneToOne: false
      referencedRelation: "timeframes"
      referencedColumns: ["id"]
    }
                  ]
                },"market_candles": {
                  Row: {
                    "close": number,"exchange": Database["public"]['Enums']["exchange_id"],"fetched_at": string,"high": number,"low": number,"open": number,"open_time": string,"symbol": string,"timeframe": string,"volume": number | null
                  }
                  ComputedFields: never
                  Insert: {
                    "close": number,"exchange": Database["public"]['Enums']["exchange_id"],"fetched_at"?: string,"high": number,"low": number,"open": number,"open_time": string,"symbol": string,"timeframe"?: string,"volume"?: number | null
                  }
                  Update: {
                    "close"?: number,"exchange"?: Database["public"]['Enums']["exchange_id"],"fetched_at"?: string,"high"?: number,"low"?: number,"open"?: number,"open_time"?: string,"symbol"?: string,"timeframe"?: string,"volume"?: number | null
                  }
                  Relationships: [
                    
                  ]
                },"market_prices": {
                  Row: {
                    "as_of": string,"created_at": string,"exchange": Database["public"]['Enums']["exchange_id"],"id": number,"kind": string,"price": number,"symbol": string
                  }
                  ComputedFields: never
                  Insert: {
                    "as_of": string,"created_at"?: string,"exchange": Database["public"]['Enums']["exchange_id"],"id"?: number,"kind": string,"price": number,"symbol": string
                  }
                  Update: {
                    "as_of"?: string,"created_at"?: string,"exchange"?: Database["public"]['Enums']["exchange_id"],"id"?: number,"kind"?: string,"price"?: number,"symbol"?: string
                  }
                  Relationships: [
                    
                  ]
                },"market_types": {
                  Row: {
                    "id": number,"name": string
                  }
                  ComputedFields: never
                  Insert: {
                    "id"?: number,"name": string
                  }
                  Update: {
                    "id"?: number,"name"?: string
                  }
                  Relationships: [
                    
                  ]
                },"open_orders": {
                  Row: {
                    "client_oid": string,"created_at": string,"entry_price": number,"exchange": Database["public"]['Enums']["exchange_id"],"force": string,"id": number,"order_id": string,"order_type": string,"quantity": number,"side": string,"size": number,"stop_loss": number | null,"symbol": string,"take_profit": number,"tp_level": number,"trade_placement_time": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "client_oid": string,"created_at"?: string,"entry_price": number,"exchange"?: Database["public"]['Enums']["exchange_id"],"force": string,"id"?: number,"order_id": string,"order_type": string,"quantity": number,"side": string,"size": number,"stop_loss"?: number | null,"symbol": string,"take_profit": number,"tp_level": number,"trade_placement_time": string,"user_id": string
                  }
                  Update: {
                    "client_oid"?: string,"created_at"?: string,"entry_price"?: number,"exchange"?: Database["public"]['Enums']["exchange_id"],"force"?: string,"id"?: number,"order_id"?: string,"order_type"?: string,"quantity"?: number,"side"?: string,"size"?: number,"stop_loss"?: number | null,"symbol"?: string,"take_profit"?: number,"tp_level"?: number,"trade_placement_time"?: string,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"orders": {
                  Row: {
                    "average_price": number | null,"client_order_id": string | null,"created_at": string,"credential_id": string | null,"exchange": Database["public"]['Enums']["exchange_id"],"executed_qty": number,"filled_timestamp": string | null,"id": number,"market_type": Database["public"]['Enums']["market_type"],"note": string | null,"order_group_id": string | null,"order_id": string,"order_role": string | null,"order_timestamp": string,"parent_order_id": number | null,"price": number | null,"quantity": number,"reduce_only": boolean | null,"side": string,"sl_price": number | null,"status": string,"stop_price": number | null,"symbol": string,"tp_levels": Json | null,"type": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "average_price"?: number | null,"client_order_id"?: string | null,"created_at"?: string,"credential_id"?: string | null,"exchange": Database["public"]['Enums']["exchange_id"],"executed_qty"?: number,"filled_timestamp"?: string | null,"id"?: number,"market_type"?: Database["public"]['Enums']["market_type"],"note"?: string | null,"order_group_id"?: string | null,"order_id": string,"order_role"?: string | null,"order_timestamp": string,"parent_order_id"?: number | null,"price"?: number | null,"quantity": number,"reduce_only"?: boolean | null,"side": string,"sl_price"?: number | null,"status": string,"stop_price"?: number | null,"symbol": string,"tp_levels"?: Json | null,"type": string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "average_price"?: number | null,"client_order_id"?: string | null,"created_at"?: string,"credential_id"?: string | null,"exchange"?: Database["public"]['Enums']["exchange_id"],"executed_qty"?: number,"filled_timestamp"?: string | null,"id"?: number,"market_type"?: Database["public"]['Enums']["market_type"],"note"?: string | null,"order_group_id"?: string | null,"order_id"?: string,"order_role"?: string | null,"order_timestamp"?: string,"parent_order_id"?: number | null,"price"?: number | null,"quantity"?: number,"reduce_only"?: boolean | null,"side"?: string,"sl_price"?: number | null,"status"?: string,"stop_price"?: number | null,"symbol"?: string,"tp_levels"?: Json | null,"type"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "orders_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "orders_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials_masked"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "orders_parent_order_fkey"
      columns: ["user_id","parent_order_id"]
isOneToOne: false
      referencedRelation: "orders"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"performance_metrics": {
                  Row: {
                    "average_hold_duration": string | null,"average_pnl_per_trade": number | null,"average_risk_per_trade": number | null,"breakeven_trades": number,"calculated_at": string,"calmar_ratio": number | null,"exchange": Database["public"]['Enums']["exchange_id"] | null,"expectancy": number | null,"gross_loss": number,"gross_profit": number,"id": number,"largest_loss": number | null,"largest_win": number | null,"longest_loss_streak": number | null,"longest_win_streak": number | null,"losing_trades": number,"max_drawdown": number | null,"max_drawdown_amount": number | null,"max_drawdown_peak_at": string | null,"max_drawdown_trough_at": string | null,"payoff_ratio": number | null,"period_end": string,"period_start": string,"period_type": string,"profit_factor": number | null,"roi_percentage": number | null,"sharpe_ratio": number | null,"sortino_ratio": number | null,"time_weighted_return": number | null,"total_fees": number,"total_gross_pnl": number,"total_net_pnl": number,"total_trades": number,"total_volume_traded": number,"user_id": string,"win_rate": number | null,"winning_trades": number
                  }
                  ComputedFields: never
                  Insert: {
                    "average_hold_duration"?: string | null,"average_pnl_per_trade"?: number | null,"average_risk_per_trade"?: number | null,"breakeven_trades"?: number,"calculated_at"?: string,"calmar_ratio"?: number | null,"exchange"?: Database["public"]['Enums']["exchange_id"] | null,"expectancy"?: number | null,"gross_loss"?: number,"gross_profit"?: number,"id"?: number,"largest_loss"?: number | null,"largest_win"?: number | null,"longest_loss_streak"?: number | null,"longest_win_streak"?: number | null,"losing_trades"?: number,"max_drawdown"?: number | null,"max_drawdown_amount"?: number | null,"max_drawdown_peak_at"?: string | null,"max_drawdown_trough_at"?: string | null,"payoff_ratio"?: number | null,"period_end": string,"period_start": string,"period_type": string,"profit_factor"?: number | null,"roi_percentage"?: number | null,"sharpe_ratio"?: number | null,"sortino_ratio"?: number | null,"time_weighted_return"?: number | null,"total_fees"?: number,"total_gross_pnl"?: number,"total_net_pnl"?: number,"total_trades"?: number,"total_volume_traded"?: number,"user_id": string,"win_rate"?: number | null,"winning_trades"?: number
                  }
                  Update: {
                    "average_hold_duration"?: string | null,"average_pnl_per_trade"?: number | null,"average_risk_per_trade"?: number | null,"breakeven_trades"?: number,"calculated_at"?: string,"calmar_ratio"?: number | null,"exchange"?: Database["public"]['Enums']["exchange_id"] | null,"expectancy"?: number | null,"gross_loss"?: number,"gross_profit"?: number,"id"?: number,"largest_loss"?: number | null,"largest_win"?: number | null,"longest_loss_streak"?: number | null,"longest_win_streak"?: number | null,"losing_trades"?: number,"max_drawdown"?: number | null,"max_drawdown_amount"?: number | null,"max_drawdown_peak_at"?: string | null,"max_drawdown_trough_at"?: string | null,"payoff_ratio"?: number | null,"period_end"?: string,"period_start"?: string,"period_type"?: string,"profit_factor"?: number | null,"roi_percentage"?: number | null,"sharpe_ratio"?: number | null,"sortino_ratio"?: number | null,"time_weighted_return"?: number | null,"total_fees"?: number,"total_gross_pnl"?: number,"total_net_pnl"?: number,"total_trades"?: number,"total_volume_traded"?: number,"user_id"?: string,"win_rate"?: number | null,"winning_trades"?: number
                  }
                  Relationships: [
                    
                  ]
                },"pipeline_runs": {
                  Row: {
                    "created_at": string,"id": number
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"id"?: number
                  }
                  Update: {
                    "created_at"?: string,"id"?: number
                  }
                  Relationships: [
                    
                  ]
                },"pnl_stream_state": {
                  Row: {
                    "cost_method": string,"exchange": Database["public"]['Enums']["exchange_id"],"fills_processed": number,"last_fill_at": string | null,"last_trade_id": string | null,"market_type": Database["public"]['Enums']["market_type"],"rebuilds": number,"state": NonNullable<Json>,"symbol": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "cost_method": string,"exchange": Database["public"]['Enums']["exchange_id"],"fills_processed"?: number,"last_fill_at"?: string | null,"last_trade_id"?: string | null,"market_type": Database["public"]['Enums']["market_type"],"rebuilds"?: number,"state": NonNullable<Json>,"symbol": string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "cost_method"?: string,"exchange"?: Database["public"]['Enums']["exchange_id"],"fills_processed"?: number,"last_fill_at"?: string | null,"last_trade_id"?: string | null,"market_type"?: Database["public"]['Enums']["market_type"],"rebuilds"?: number,"state"?: NonNullable<Json>,"symbol"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"portfolio_snapshots": {
                  Row: {
                    "available_balance": number,"average_trade_pnl": number | null,"created_at": string,"exchange": Database["public"]['Enums']["exchange_id"] | null,"id": number,"is_reconstructed": boolean,"largest_loss": number | null,"largest_win": number | null,"locked_balance": number,"losing_trades_count": number,"net_flows": number,"open_positions_count": number,"snapshot_date": string,"total_balance": number,"total_fees_paid": number,"total_positions_value": number,"total_realized_pnl": number,"total_trades_count": number,"unpriced_assets": NonNullable<Json>,"unrealized_pnl": number,"updated_at": string,"user_id": string,"win_rate": number | null,"winning_trades_count": number
                  }
                  ComputedFields: never
                  Insert: {
                    "available_balance": number,"average_trade_pnl"?: number | null,"created_at"?: string,"exchange"?: Database["public"]['Enums']["exchange_id"] | null,"id"?: number,"is_reconstructed"?: boolean,"largest_loss"?: number | null,"largest_win"?: number | null,"locked_balance": number,"losing_trades_count"?: number,"net_flows"?: number,"open_positions_count"?: number,"snapshot_date": string,"total_balance": number,"total_fees_paid"?: number,"total_positions_value"?: number,"total_realized_pnl"?: number,"total_trades_count"?: number,"unpriced_assets"?: NonNullable<Json>,"unrealized_pnl"?: number,"updated_at"?: string,"user_id": string,"win_rate"?: number | null,"winning_trades_count"?: number
                  }
                  Update: {
                    "available_balance"?: number,"average_trade_pnl"?: number | null,"created_at"?: string,"exchange"?: Database["public"]['Enums']["exchange_id"] | null,"id"?: number,"is_reconstructed"?: boolean,"largest_loss"?: number | null,"largest_win"?: number | null,"locked_balance"?: number,"losing_trades_count"?: number,"net_flows"?: number,"open_positions_count"?: number,"snapshot_date"?: string,"total_balance"?: number,"total_fees_paid"?: number,"total_positions_value"?: number,"total_realized_pnl"?: number,"total_trades_count"?: number,"unpriced_assets"?: NonNullable<Json>,"unrealized_pnl"?: number,"updated_at"?: string,"user_id"?: string,"win_rate"?: number | null,"winning_trades_count"?: number
                  }
                  Relationships: [
                    
                  ]
                },"positions": {
                  Row: {
                    "closed_at": string | null,"cost_method": string,"created_at": string,"entry_order_id": string | null,"entry_order_ref": number | null,"entry_price": number,"exchange": Database["public"]['Enums']["exchange_id"],"fees_paid": number,"funding": number,"id": number,"last_updated": string,"leverage": number,"margin_mode": string | null,"market_type": Database["public"]['Enums']["market_type"],"notes": string | null,"opened_at": string,"position_key": string | null,"quantity": number,"realized_gross_pnl": number,"realized_net_pnl": number,"side": string,"status": string,"stop_loss_price": number | null,"symbol": string,"take_profit_prices": Json | null,"total_cost": number,"unrealized_pnl": number | null,"unrealized_pnl_percentage": number | null,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "closed_at"?: string | null,"cost_method"?: string,"created_at"?: string,"entry_order_id"?: string | null,"entry_order_ref"?: number | null,"entry_price": number,"exchange": Database["public"]['Enums']["exchange_id"],"fees_paid"?: number,"funding"?: number,"id"?: number,"last_updated"?: string,"leverage"?: number,"margin_mode"?: string | null,"market_type": Database["public"]['Enums']["market_type"],"notes"?: string | null,"opened_at"?: string,"position_key"?: string | null,"quantity": number,"realized_gross_pnl"?: number,"realized_net_pnl"?: number,"side": string,"status"?: string,"stop_loss_price"?: number | null,"symbol": string,"take_profit_prices"?: Json | null,"total_cost": number,"unrealized_pnl"?: number | null,"unrealized_pnl_percentage"?: number | null,"user_id": string
                  }
                  Update: {
                    "closed_at"?: string | null,"cost_method"?: string,"created_at"?: string,"entry_order_id"?: string | null,"entry_order_ref"?: number | null,"entry_price"?: number,"exchange"?: Database["public"]['Enums']["exchange_id"],"fees_paid"?: number,"funding"?: number,"id"?: number,"last_updated"?: string,"leverage"?: number,"margin_mode"?: string | null,"market_type"?: Database["public"]['Enums']["market_type"],"notes"?: string | null,"opened_at"?: string,"position_key"?: string | null,"quantity"?: number,"realized_gross_pnl"?: number,"realized_net_pnl"?: number,"side"?: string,"status"?: string,"stop_loss_price"?: number | null,"symbol"?: string,"take_profit_prices"?: Json | null,"total_cost"?: number,"unrealized_pnl"?: number | null,"unrealized_pnl_percentage"?: number | null,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "positions_entry_order_fkey"
      columns: ["user_id","entry_order_ref"]
isOneToOne: false
      referencedRelation: "orders"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"predictions": {
                  Row: {
                    "confidence": number,"id": number,"prediction_text": string | null,"rejected": boolean,"run_id": number,"symbol": string
                  }
                  ComputedFields: never
                  Insert: {
                    "confidence": number,"id"?: number,"prediction_text"?: string | null,"rejected"?: boolean,"run_id": number,"symbol": string
                  }
                  Update: {
                    "confidence"?: number,"id"?: number,"prediction_text"?: string | null,"rejected"?: boolean,"run_id"?: number,"symbol"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "predictions_run_id_fkey"
      columns: ["run_id"]
isOneToOne: false
      referencedRelation: "pipeline_runs"
      referencedColumns: ["id"]
    }
                  ]
                },"processed_orders": {
                  Row: {
                    "amount_percentage": number,"analysis_type": string,"confidence": string,"created_at": string,"entry_price": number,"exchange": Database["public"]['Enums']["exchange_id"],"force": string,"id": number,"leverage": string,"margin_mode": string,"market_condition": string,"notional": number,"order_type": string,"quantity": number,"risk_level": string,"side": string,"stop_loss": number | null,"symbol": string,"take_profit_levels": Json | null,"timeframe": string,"timestamp": string | null,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "amount_percentage": number,"analysis_type": string,"confidence": string,"created_at"?: string,"entry_price": number,"exchange"?: Database["public"]['Enums']["exchange_id"],"force": string,"id"?: number,"leverage": string,"margin_mode": string,"market_condition": string,"notional": number,"order_type": string,"quantity": number,"risk_level": string,"side": string,"stop_loss"?: number | null,"symbol": string,"take_profit_levels"?: Json | null,"timeframe": string,"timestamp"?: string | null,"user_id": string
                  }
                  Update: {
                    "amount_percentage"?: number,"analysis_type"?: string,"confidence"?: string,"created_at"?: string,"entry_price"?: number,"exchange"?: Database["public"]['Enums']["exchange_id"],"force"?: string,"id"?: number,"leverage"?: string,"margin_mode"?: string,"market_condition"?: string,"notional"?: number,"order_type"?: string,"quantity"?: number,"risk_level"?: string,"side"?: string,"stop_loss"?: number | null,"symbol"?: string,"take_profit_levels"?: Json | null,"timeframe"?: string,"timestamp"?: string | null,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"profiles": {
                  Row: {
                    "created_at": string,"date_of_birth": string | null,"deleted_at": string | null,"is_deleted": boolean,"name": string,"pnl_cost_method": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"date_of_birth"?: string | null,"deleted_at"?: string | null,"is_deleted"?: boolean,"name"?: string,"pnl_cost_method"?: string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "created_at"?: string,"date_of_birth"?: string | null,"deleted_at"?: string | null,"is_deleted"?: boolean,"name"?: string,"pnl_cost_method"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"symbols": {
                  Row: {
                    "id": number,"symbol_name": string
                  }
                  ComputedFields: never
                  Insert: {
                    "id"?: number,"symbol_name": string
                  }
                  Update: {
                    "id"?: number,"symbol_name"?: string
                  }
                  Relationships: [
                    
                  ]
                },"symbols_confidence": {
                  Row: {
                    "confidence": number,"id": number,"run_id": number,"symbol": string
                  }
                  ComputedFields: never
                  Insert: {
                    "confidence": number,"id"?: number,"run_id": number,"symbol": string
                  }
                  Update: {
                    "confidence"?: number,"id"?: number,"run_id"?: number,"symbol"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "symbols_confidence_run_id_fkey"
      columns: ["run_id"]
isOneToOne: false
      referencedRelation: "pipeline_runs"
      referencedColumns: ["id"]
    }
                  ]
                },"sync_cursors": {
                  Row: {
                    "credential_id": string,"cursor_id": string | null,"cursor_time": string | null,"data_kind": string,"market_type": Database["public"]['Enums']["market_type"],"symbol": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "credential_id": string,"cursor_id"?: string | null,"cursor_time"?: string | null,"data_kind": string,"market_type": Database["public"]['Enums']["market_type"],"symbol"?: string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "credential_id"?: string,"cursor_id"?: string | null,"cursor_time"?: string | null,"data_kind"?: string,"market_type"?: Database["public"]['Enums']["market_type"],"symbol"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "sync_cursors_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "sync_cursors_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials_masked"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"sync_jobs": {
                  Row: {
                    "attempts": number,"claimed_at": string | null,"claimed_by": string | null,"created_at": string,"credential_id": string,"finished_at": string | null,"heartbeat_at": string | null,"id": number,"kind": string,"last_error": string | null,"max_attempts": number,"run_after": string,"status": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "attempts"?: number,"claimed_at"?: string | null,"claimed_by"?: string | null,"created_at"?: string,"credential_id": string,"finished_at"?: string | null,"heartbeat_at"?: string | null,"id"?: number,"kind"?: string,"last_error"?: string | null,"max_attempts"?: number,"run_after"?: string,"status"?: string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "attempts"?: number,"claimed_at"?: string | null,"claimed_by"?: string | null,"created_at"?: string,"credential_id"?: string,"finished_at"?: string | null,"heartbeat_at"?: string | null,"id"?: number,"kind"?: string,"last_error"?: string | null,"max_attempts"?: number,"run_after"?: string,"status"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "sync_jobs_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "sync_jobs_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials_masked"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"sync_runs": {
                  Row: {
                    "counts": NonNullable<Json>,"credential_id": string | null,"duration_ms": number | null,"errors": NonNullable<Json>,"exchange": Database["public"]['Enums']["exchange_id"],"finished_at": string | null,"id": number,"job_id": number | null,"pages": number,"retries": number,"started_at": string,"status": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "counts"?: NonNullable<Json>,"credential_id"?: string | null,"duration_ms"?: number | null,"errors"?: NonNullable<Json>,"exchange": Database["public"]['Enums']["exchange_id"],"finished_at"?: string | null,"id"?: number,"job_id"?: number | null,"pages"?: number,"retries"?: number,"started_at"?: string,"status"?: string,"user_id": string
                  }
                  Update: {
                    "counts"?: NonNullable<Json>,"credential_id"?: string | null,"duration_ms"?: number | null,"errors"?: NonNullable<Json>,"exchange"?: Database["public"]['Enums']["exchange_id"],"finished_at"?: string | null,"id"?: number,"job_id"?: number | null,"pages"?: number,"retries"?: number,"started_at"?: string,"status"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "sync_runs_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "sync_runs_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials_masked"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "sync_runs_job_fkey"
      columns: ["user_id","job_id"]
isOneToOne: false
      referencedRelation: "sync_jobs"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"timeframes": {
                  Row: {
                    "id": number,"timeframe": string
                  }
                  ComputedFields: never
                  Insert: {
                    "id"?: number,"timeframe": string
                  }
                  Update: {
                    "id"?: number,"timeframe"?: string
                  }
                  Relationships: [
                    
                  ]
                },"trade_history": {
                  Row: {
                    "close_key": string,"created_at": string,"entry_fees": number,"entry_order_id": string | null,"entry_order_ref": number | null,"entry_price": number,"entry_quantity": number,"entry_time": string,"exchange": Database["public"]['Enums']["exchange_id"],"exit_fees": number,"exit_order_id": string | null,"exit_order_ref": number | null,"exit_price": number,"exit_quantity": number,"exit_reason": string | null,"exit_time": string,"exit_type": string,"fees_unconverted": NonNullable<Json>,"flags": (string)[],"funding": number,"gross_pnl": number,"hold_duration": string,"id": number,"leverage": number,"margin_mode": string | null,"market_type": Database["public"]['Enums']["market_type"],"max_drawdown": number | null,"net_pnl": number,"notes": string | null,"pnl_percentage": number | null,"position_id": number | null,"position_key": string | null,"roi_percentage": number | null,"side": string,"stop_loss_price": number | null,"symbol": string,"take_profit_prices": Json | null,"unknown_cost_basis_quantity": number,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "close_key": string,"created_at"?: string,"entry_fees"?: number,"entry_order_id"?: string | null,"entry_order_ref"?: number | null,"entry_price": number,"entry_quantity": number,"entry_time": string,"exchange": Database["public"]['Enums']["exchange_id"],"exit_fees"?: number,"exit_order_id"?: string | null,"exit_order_ref"?: number | null,"exit_price": number,"exit_quantity": number,"exit_reason"?: string | null,"exit_time": string,"exit_type": string,"fees_unconverted"?: NonNullable<Json>,"flags"?: (string)[],"funding"?: number,"gross_pnl": number,"hold_duration": string,"id"?: number,"leverage"?: number,"margin_mode"?: string | null,"market_type": Database["public"]['Enums']["market_type"],"max_drawdown"?: number | null,"net_pnl": number,"notes"?: string | null,"pnl_percentage"?: number | null,"position_id"?: number | null,"position_key"?: string | null,"roi_percentage"?: number | null,"side": string,"stop_loss_price"?: number | null,"symbol": string,"take_profit_prices"?: Json | null,"unknown_cost_basis_quantity"?: number,"user_id": string
                  }
                  Update: {
                    "close_key"?: string,"created_at"?: string,"entry_fees"?: number,"entry_order_id"?: string | null,"entry_order_ref"?: number | null,"entry_price"?: number,"entry_quantity"?: number,"entry_time"?: string,"exchange"?: Database["public"]['Enums']["exchange_id"],"exit_fees"?: number,"exit_order_id"?: string | null,"exit_order_ref"?: number | null,"exit_price"?: number,"exit_quantity"?: number,"exit_reason"?: string | null,"exit_time"?: string,"exit_type"?: string,"fees_unconverted"?: NonNullable<Json>,"flags"?: (string)[],"funding"?: number,"gross_pnl"?: number,"hold_duration"?: string,"id"?: number,"leverage"?: number,"margin_mode"?: string | null,"market_type"?: Database["public"]['Enums']["market_type"],"max_drawdown"?: number | null,"net_pnl"?: number,"notes"?: string | null,"pnl_percentage"?: number | null,"position_id"?: number | null,"position_key"?: string | null,"roi_percentage"?: number | null,"side"?: string,"stop_loss_price"?: number | null,"symbol"?: string,"take_profit_prices"?: Json | null,"unknown_cost_basis_quantity"?: number,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "trade_history_entry_order_fkey"
      columns: ["user_id","entry_order_ref"]
isOneToOne: false
      referencedRelation: "orders"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "trade_history_exit_order_fkey"
      columns: ["user_id","exit_order_ref"]
isOneToOne: false
      referencedRelation: "orders"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "trade_history_position_fkey"
      columns: ["user_id","position_id"]
isOneToOne: false
      referencedRelation: "position_excursions"
      referencedColumns: ["user_id","position_id"]
    },{
      foreignKeyName: "trade_history_position_fkey"
      columns: ["user_id","position_id"]
isOneToOne: false
      referencedRelation: "positions"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"trades": {
                  Row: {
                    "entry_price": number,"execution_time": string | null,"id": number,"run_id": number,"stop_loss": number,"take_profit": number,"trade_end_time": string | null,"trade_start_time": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "entry_price": number,"execution_time"?: string | null,"id"?: number,"run_id": number,"stop_loss": number,"take_profit": number,"trade_end_time"?: string | null,"trade_start_time"?: string | null
                  }
                  Update: {
                    "entry_price"?: number,"execution_time"?: string | null,"id"?: number,"run_id"?: number,"stop_loss"?: number,"take_profit"?: number,"trade_end_time"?: string | null,"trade_start_time"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "trades_run_id_fkey"
      columns: ["run_id"]
isOneToOne: false
      referencedRelation: "pipeline_runs"
      referencedColumns: ["id"]
    }
                  ]
                },"transfers": {
                  Row: {
                    "address": string | null,"amount": number,"asset": string,"created_at": string,"credential_id": string | null,"exchange": Database["public"]['Enums']["exchange_id"],"fee": number | null,"fee_currency": string | null,"id": number,"kind": string,"network": string | null,"occurred_at": string,"status": string,"transfer_id": string,"tx_id": string | null,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "address"?: string | null,"amount": number,"asset": string,"created_at"?: string,"credential_id"?: string | null,"exchange": Database["public"]['Enums']["exchange_id"],"fee"?: number | null,"fee_currency"?: string | null,"id"?: number,"kind": string,"network"?: string | null,"occurred_at": string,"status": string,"transfer_id": string,"tx_id"?: string | null,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "address"?: string | null,"amount"?: number,"asset"?: string,"created_at"?: string,"credential_id"?: string | null,"exchange"?: Database["public"]['Enums']["exchange_id"],"fee"?: number | null,"fee_currency"?: string | null,"id"?: number,"kind"?: string,"network"?: string | null,"occurred_at"?: string,"status"?: string,"transfer_id"?: string,"tx_id"?: string | null,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "transfers_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials"
      referencedColumns: ["user_id","id"]
    },{
      foreignKeyName: "transfers_credential_fkey"
      columns: ["user_id","credential_id"]
isOneToOne: false
      referencedRelation: "api_credentials_masked"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"validations": {
                  Row: {
                    "details": Json | null,"id": number,"run_id": number,"validation_status": string
                  }
                  ComputedFields: never
                  Insert: {
                    "details"?: Json | null,"id"?: number,"run_id": number,"validation_status": string
                  }
                  Update: {
                    "details"?: Json | null,"id"?: number,"run_id"?: number,"validation_status"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "validations_run_id_fkey"
      columns: ["run_id"]
isOneToOne: false
      referencedRelation: "pipeline_runs"
      referencedColumns: ["id"]
    }
                  ]
                },"vlm_screenshot": {
                  Row: {
                    "captured_at": string,"id": number,"screenshot_url": string,"timeframes": (string)[],"vlm_pred_id": number
                  }
                  ComputedFields: never
                  Insert: {
                    "captured_at": string,"id"?: number,"screenshot_url": string,"timeframes": (string)[],"vlm_pred_id": number
                  }
                  Update: {
                    "captured_at"?: string,"id"?: number,"screenshot_url"?: string,"timeframes"?: (string)[],"vlm_pred_id"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "vlm_screenshot_vlm_pred_id_fkey"
      columns: ["vlm_pred_id"]
isOneToOne: false
      referencedRelation: "predictions"
      referencedColumns: ["id"]
    }
                  ]
                }
          }
          Views: {
            "api_credentials_masked": {
                  Row: {
                    "account_mode": Json | null,"created_at": string,"deleted_at": string | null,"exchange": Database["public"]['Enums']["exchange_id"],"id": string,"is_active": boolean,"key_hint": string | null,"kid": string | null,"label": string | null,"last_sync_at": string | null,"last_sync_status": string | null,"permissions": Json | null,"sync_symbols": (string)[],"updated_at": string,"user_id": string,"verification_status": string,"verified_at": string | null
                  }
                  ComputedFields: never
                  Insert: {
                           "account_mode"?: Json | null,"created_at"?: string | null,"deleted_at"?: string | null,"exchange"?: Database["public"]['Enums']["exchange_id"] | null,"id"?: string | null,"is_active"?: boolean | null,"key_hint"?: string | null,"kid"?: string | null,"label"?: string | null,"last_sync_at"?: string | null,"last_sync_status"?: string | null,"permissions"?: Json | null,"sync_symbols"?: (string)[] | null,"updated_at"?: string | null,"user_id"?: string | null,"verification_status"?: string | null,"verified_at"?: string | null
                         }
                        Update: {
                           "account_mode"?: Json | null,"created_at"?: string | null,"deleted_at"?: string | null,"exchange"?: Database["public"]['Enums']["exchange_id"] | null,"id"?: string | null,"is_active"?: boolean | null,"key_hint"?: string | null,"kid"?: string | null,"label"?: string | null,"last_sync_at"?: string | null,"last_sync_status"?: string | null,"permissions"?: Json | null,"sync_symbols"?: (string)[] | null,"updated_at"?: string | null,"user_id"?: string | null,"verification_status"?: string | null,"verified_at"?: string | null
                         }
                        Relationships: [
                    
                  ]
                },"closed_trades": {
                  Row: {
                    "entry_price": number,"entry_time": string,"exchange": Database["public"]['Enums']["exchange_id"],"exit_price": number,"exit_reason": string | null,"exit_time": string,"exit_type": string,"fees": number | null,"flags": (string)[],"funding": number,"gross_pnl": number,"hold_duration": string,"hold_seconds": number | null,"id": number,"leverage": number,"margin_mode": string | null,"market_type": Database["public"]['Enums']["market_type"],"net_pnl": number,"pnl_percentage": number | null,"position_id": number | null,"quantity": number,"roi_percentage": number | null,"side": string,"symbol": string
                  }
                  ComputedFields: never
                  Insert: {
                           "entry_price"?: number | null,"entry_time"?: string | null,"exchange"?: Database["public"]['Enums']["exchange_id"] | null,"exit_price"?: number | null,"exit_reason"?: string | null,"exit_time"?: string | null,"exit_type"?: string | null,"fees"?: never,"flags"?: (string)[] | null,"funding"?: number | null,"gross_pnl"?: number | null,"hold_duration"?: string | null,"hold_seconds"?: never,"id"?: number | null,"leverage"?: number | null,"margin_mode"?: string | null,"market_type"?: Database["public"]['Enums']["market_type"] | null,"net_pnl"?: number | null,"pnl_percentage"?: number | null,"position_id"?: number | null,"quantity"?: number | null,"roi_percentage"?: number | null,"side"?: string | null,"symbol"?: string | null
                         }
                        Update: {
                           "entry_price"?: number | null,"entry_time"?: string | null,"exchange"?: Database["public"]['Enums']["exchange_id"] | null,"exit_price"?: number | null,"exit_reason"?: string | null,"exit_time"?: string | null,"exit_type"?: string | null,"fees"?: never,"flags"?: (string)[] | null,"funding"?: number | null,"gross_pnl"?: number | null,"hold_duration"?: string | null,"hold_seconds"?: never,"id"?: number | null,"leverage"?: number | null,"margin_mode"?: string | null,"market_type"?: Database["public"]['Enums']["market_type"] | null,"net_pnl"?: number | null,"pnl_percentage"?: number | null,"position_id"?: number | null,"quantity"?: number | null,"roi_percentage"?: number | null,"side"?: string | null,"symbol"?: string | null
                         }
                        Relationships: [
                    
                  ]
                },"credential_sync_status": {
                  Row: {
                    "created_at": string,"credential_id": string,"deleted_at": string | null,"exchange": Database["public"]['Enums']["exchange_id"],"is_active": boolean,"key_hint": string | null,"label": string | null,"last_run_counts": Json | null,"last_run_duration_ms": number | null,"last_run_errors": Json | null,"last_run_finished_at": string | null,"last_run_id": number | null,"last_run_started_at": string | null,"last_run_status": string | null,"last_sync_at": string | null,"last_sync_status": string | null,"pending_job_id": number | null,"pending_job_kind": string | null,"pending_job_run_after": string | null,"pending_job_status": string | null,"permissions": Json | null,"updated_at": string,"verification_status": string,"verified_at": string | null
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"latest_portfolio_snapshots": {
                  Row: {
                    "available_balance": number | null,"average_trade_pnl": number | null,"exchange": Database["public"]['Enums']["exchange_id"] | null,"id": number | null,"is_reconstructed": boolean | null,"largest_loss": number | null,"largest_win": number | null,"locked_balance": number | null,"losing_trades_count": number | null,"net_flows": number | null,"open_positions_count": number | null,"snapshot_date": string | null,"total_balance": number | null,"total_fees_paid": number | null,"total_positions_value": number | null,"total_realized_pnl": number | null,"total_trades_count": number | null,"unpriced_assets": Json | null,"unrealized_pnl": number | null,"updated_at": string | null,"win_rate": number | null,"winning_trades_count": number | null
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"open_positions": {
                  Row: {
                    "current_price": number | null,"entry_price": number,"exchange": Database["public"]['Enums']["exchange_id"],"fees_paid": number,"funding": number,"id": number,"last_updated": string,"leverage": number,"margin_mode": string | null,"market_type": Database["public"]['Enums']["market_type"],"opened_at": string,"position_value": number | null,"price_as_of": string | null,"quantity": number,"side": string,"stop_loss_price": number | null,"symbol": string,"take_profit_prices": Json | null,"total_cost": number,"unrealized_pnl": number | null,"unrealized_pnl_percentage": number | null
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"position_excursions": {
                  Row: {
                    "candle_days": number | null,"candle_excursion": number | null,"exchange": Database["public"]['Enums']["exchange_id"],"market_type": Database["public"]['Enums']["market_type"],"opened_at": string,"position_id": number,"side": string,"symbol": string,"user_id": string
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"positions_with_pnl": {
                  Row: {
                    "closed_at": string | null,"current_price": number | null,"entry_price": number,"exchange": Database["public"]['Enums']["exchange_id"],"fees_paid": number,"funding": number,"id": number,"last_updated": string,"leverage": number,"margin_mode": string | null,"market_type": Database["public"]['Enums']["market_type"],"opened_at": string,"position_value": number | null,"price_as_of": string | null,"quantity": number,"realized_gross_pnl": number,"realized_net_pnl": number,"side": string,"status": string,"stop_loss_price": number | null,"symbol": string,"take_profit_prices": Json | null,"total_cost": number,"unrealized_pnl": number | null,"unrealized_pnl_percentage": number | null
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"trade_history_excursions": {
                  Row: {
                    "candle_days": number | null,"candle_excursion": number | null,"entry_time": string,"exchange": Database["public"]['Enums']["exchange_id"],"exit_time": string,"market_type": Database["public"]['Enums']["market_type"],"max_adverse_excursion": number | null,"max_drawdown": number | null,"position_id": number | null,"side": string,"symbol": string,"trade_history_id": number,"user_id": string
                  }
                  ComputedFields: never
                  Relationships: [
                    {
      foreignKeyName: "trade_history_position_fkey"
      columns: ["user_id","position_id"]
isOneToOne: false
      referencedRelation: "position_excursions"
      referencedColumns: ["user_id","position_id"]
    },{
      foreignKeyName: "trade_history_position_fkey"
      columns: ["user_id","position_id"]
isOneToOne: false
      referencedRelation: "positions"
      referencedColumns: ["user_id","id"]
    }
                  ]
                }
          }
          Functions: {
            "equity_curve":
{ Args: { "p_exchange"?: Database["public"]['Enums']["exchange_id"],"p_from": string,"p_to": string }; Returns: {
              "balance": number,"date": string,"is_reconstructed": boolean,"net_flows": number,"realized_pnl": number,"twr_index": number,"unrealized_pnl": number
            }[]
                           },
"get_performance_metrics":
{ Args: { "p_exchange"?: Database["public"]['Enums']["exchange_id"],"p_limit"?: number,"p_period"?: string }; Returns: {
              "average_hold_duration": string | null,
"average_pnl_per_trade": number | null,
"average_risk_per_trade": number | null,
"breakeven_trades": number,
"calculated_at": string,
"calmar_ratio": number | null,
"exchange": Database["public"]['Enums']["exchange_id"] | null,
"expectancy": number | null,
"gross_loss": number,
"gross_profit": number,
"id": number,
"largest_loss": number | null,
"largest_win": number | null,
"longest_loss_streak": number | null,
"longest_win_streak": number | null,
"losing_trades": number,
"max_drawdown": number | null,
"max_drawdown_amount": number | null,
"max_drawdown_peak_at": string | null,
"max_drawdown_trough_at": string | null,
"payoff_ratio": number | null,
"period_end": string,
"period_start": string,
"period_type": string,
"profit_factor": number | null,
"roi_percentage": number | null,
"sharpe_ratio": number | null,
"sortino_ratio": number | null,
"time_weighted_return": number | null,
"total_fees": number,
"total_gross_pnl": number,
"total_net_pnl": number,
"total_trades": number,
"total_volume_traded": number,
"user_id": string,
"win_rate": number | null,
"winning_trades": number
            }[]
                          SetofOptions: {
        from: "*"
        to: "performance_metrics"
        isOneToOne: false
        isSetofReturn: true
      } },
"get_trade_history":
{ Args: { "p_cursor_exit_time"?: string,"p_cursor_id"?: number,"p_exchange"?: Database["public"]['Enums']["exchange_id"],"p_exit_type"?: string,"p_from"?: string,"p_limit"?: number,"p_period"?: string,"p_symbol"?: string,"p_to"?: string }; Returns: {
              "entry_price": number,
"entry_time": string,
"exchange": Database["public"]['Enums']["exchange_id"],
"exit_price": number,
"exit_reason": string | null,
"exit_time": string,
"exit_type": string,
"fees": number | null,
"flags": (string)[],
"funding": number,
"gross_pnl": number,
"hold_duration": string,
"hold_seconds": number | null,
"id": number,
"leverage": number,
"margin_mode": string | null,
"market_type": Database["public"]['Enums']["market_type"],
"net_pnl": number,
"pnl_percentage": number | null,
"position_id": number | null,
"quantity": number,
"roi_percentage": number | null,
"side": string,
"symbol": string
            }[]
                          SetofOptions: {
        from: "*"
        to: "closed_trades"
        isOneToOne: false
        isSetofReturn: true
      } },
"get_trade_history_summary":
{ Args: { "p_exchange"?: Database["public"]['Enums']["exchange_id"],"p_exit_type"?: string,"p_from"?: string,"p_period"?: string,"p_symbol"?: string,"p_to"?: string }; Returns: {
              "breakeven_trades": number,"losing_trades": number,"total_fees": number,"total_gross_pnl": number,"total_pnl": number,"total_trades": number,"window_from": string,"window_to": string,"winning_trades": number
            }[]
                           },
"get_unpriced_summary":
{ Args: { "p_exchange"?: Database["public"]['Enums']["exchange_id"],"p_from": string,"p_to": string }; Returns: {
              "days": number,"unpriced_assets": (string)[],"unpriced_days": number,"user_id": string
            }[]
                           },
"get_user_performance_summary":
{ Args: Record<PropertyKey, never>; Returns: {
              "avg_pnl": number,"exchange": Database["public"]['Enums']["exchange_id"],"largest_loss": number,"largest_win": number,"last_exit_time": string,"losing_trades": number,"total_fees": number,"total_pnl": number,"total_trades": number,"winning_trades": number
            }[]
                           },
"request_sync":
{ Args: { "p_credential_id"?: string }; Returns: {
              "credential_id": string,"job_id": number,"retry_after_seconds": number,"status": string
            }[]
                           }
          }
          Enums: {
            "exchange_id": "binance"|"bitget"|"gateio"|"mexc"|"alpha_vantage","market_type": "spot"|"swap"
          }
          CompositeTypes: {
            [_ in never]: never
          }
        }
}

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
  ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R
    }
    ? R
    : never
  : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I
    }
    ? I
    : never
  : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U
    }
    ? U
    : never
  : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
  ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
  ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never

export const Constants = {
  "public": {
          Enums: {
            "exchange_id": ["binance", "bitget", "gateio", "mexc", "alpha_vantage"],"market_type": ["spot", "swap"]
          }
        }
} as const
